import { cron } from "inngest";
import { describe, expect, it } from "vitest";
import { workflowsTestPing } from "./events";
import { createTenantFunction, TENANT_CONCURRENCY_KEY } from "./tenant-function";

describe("createTenantFunction", () => {
  it("keys the function's concurrency by the event's tenant", () => {
    const fn = createTenantFunction({ runsPerTenant: 3 })(
      { id: "t-fn", triggers: [workflowsTestPing] },
      () => "ok",
    );
    expect(fn.opts.concurrency).toEqual({ key: TENANT_CONCURRENCY_KEY, limit: 3 });
    expect(TENANT_CONCURRENCY_KEY).toBe("event.data.tenantId");
  });

  it("refuses a cron trigger, which belongs to no tenant", () => {
    expect(() =>
      createTenantFunction({ runsPerTenant: 1 })({ id: "t-cron", triggers: [cron("0 3 * * *")] }, () => "ok"),
    ).toThrow(/every trigger must be an event/);
  });

  it("refuses a concurrency of the function's own, and a limit that is not a positive integer", () => {
    expect(() =>
      createTenantFunction({ runsPerTenant: 1 })(
        { id: "t-own", triggers: [workflowsTestPing], concurrency: 10 },
        () => "ok",
      ),
    ).toThrow(/concurrency is set by createTenantFunction/);
    expect(() => createTenantFunction({ runsPerTenant: 0 })).toThrow(/positive integer/);
  });
});

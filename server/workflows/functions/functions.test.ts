/**
 * The workflow functions run by @inngest/test's engine, in process: the steps that reach the database
 * are mocked, so these check the functions' shape (steps, events sent, outputs), not the domain.
 */
import { InngestTestEngine } from "@inngest/test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { auditVerifyChain } from "./audit-verify-chain";
import { auditVerifyNightly } from "./audit-verify-nightly";
import { testPing } from "./workflows-test-ping";

const TENANT = "3f0c8a52-5d7e-4b61-9a0e-2f1d4c6b7a80";

describe("workflows-test-ping", () => {
  it("echoes, sleeps two seconds and finishes", async () => {
    const t = new InngestTestEngine({
      function: testPing,
      events: [{ name: "workflows/test.ping", data: { tenantId: TENANT, message: "hello" } }],
      // The sleep is the engine's to keep; here it is over at once.
      steps: [{ id: "wait", handler: () => undefined }],
    });
    const { result, ctx } = await t.execute();
    expect(z.object({ message: z.string(), elapsedMs: z.number() }).parse(result).message).toBe("hello");
    expect(ctx.step.sleep).toHaveBeenCalledWith("wait", "2s");
    expect(ctx.step.run).toHaveBeenCalledWith("echo", expect.any(Function));
    expect(ctx.step.run).toHaveBeenCalledWith("finish", expect.any(Function));
  });

  it("is keyed by tenant and refuses an event without one", async () => {
    expect(testPing.opts.concurrency).toEqual({ key: "event.data.tenantId", limit: 5 });
    const t = new InngestTestEngine({
      function: testPing,
      events: [{ name: "workflows/test.ping", data: { message: "no tenant" } }],
    });
    const { error } = await t.execute();
    const refused = z.object({ name: z.string(), message: z.string() }).parse(error);
    expect(refused.name).toBe("EventValidationError");
    expect(refused.message).toMatch(/tenantId/);
  });
});

describe("audit-verify-nightly", () => {
  it("asks for one verification per tenant, page by page", async () => {
    const tenants = [TENANT, "6b1f8e2a-0c4d-4e5f-8a9b-1c2d3e4f5a6b"];
    const t = new InngestTestEngine({
      function: auditVerifyNightly,
      events: [
        {
          name: "inngest/scheduled.timer",
          data: { cron: "TZ=UTC 0 3 * * *" },
          ts: Date.parse("2026-11-21T03:00:00Z"),
        },
      ],
      steps: [
        { id: "list-tenants-0", handler: () => tenants },
        { id: "request-verification-0", handler: () => ({ ids: ["e1", "e2"] }) },
      ],
    });
    const { result, ctx } = await t.execute();
    expect(result).toEqual({ night: "2026-11-21", tenants: 2 });
    const [stepId, payload] = z
      .tuple([z.string(), z.array(z.object({ name: z.string(), data: z.unknown(), id: z.string() }))])
      .parse(ctx.step.sendEvent.mock.calls[0]);
    expect(stepId).toBe("request-verification-0");
    expect(payload).toEqual(
      tenants.map((tenantId) => ({
        name: "audit/chain.verify.requested",
        data: { tenantId },
        id: `audit-chain-verify-2026-11-21-${tenantId}`,
      })),
    );
  });
});

describe("audit-verify-chain", () => {
  it("verifies, then records the outcome, one run per tenant at a time", async () => {
    expect(auditVerifyChain.opts.concurrency).toEqual({ key: "event.data.tenantId", limit: 1 });
    const check = {
      ok: false,
      checked: 16,
      checkpoints: 0,
      headSeq: "16",
      firstBad: { seq: "17", reason: "hash_mismatch", message: "entry 17 was changed after it was written" },
      message: "Chain broken at entry 17: entry 17 was changed after it was written",
    };
    const t = new InngestTestEngine({
      function: auditVerifyChain,
      events: [{ name: "audit/chain.verify.requested", data: { tenantId: TENANT } }],
      steps: [
        { id: "verify-chain", handler: () => check },
        { id: "record-outcome", handler: () => ({ seq: "18" }) },
      ],
    });
    const { result } = await t.execute();
    expect(result).toEqual({ ok: false, message: check.message, checked: 16, auditEntry: "18" });
  });
});

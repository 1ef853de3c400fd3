/**
 * The hris connector through the kernel, as agents and workflows reach it: the registry's checks, the
 * access decision with reporting lines from HR, the preview an approver sees (which writes nothing),
 * and the leases on one employee's record.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { hire } from "@/server/hr/fixtures";
import {
  balancesFor,
  createTimeOffPolicy,
  requestTimeOff,
  type TimeOffPolicyView,
} from "@/server/hr/time-off";
import { getEmployee } from "@/server/hr/employees";
import { AccessEvaluator } from "@/server/kernel/access/evaluator";
import { Kernel, type KernelContext, type Syscall } from "@/server/kernel/kernel";
import {
  createTestTenant,
  kernelDeps,
  testDb,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { buildToolRegistry, connector } from "../index";
import { hrisDriver } from "./driver";
import { hrisManifest } from "./manifest";

const tools = buildToolRegistry({ hris: connector(hrisManifest, hrisDriver) }, { hris: hrisManifest });
const kernel = new Kernel({ db: testDb, tools, evaluator: new AccessEvaluator(), ...kernelDeps() });

let acme: TestTenant;
let vacation: TimeOffPolicyView;
let managerUser: TestUser;
let staffUser: TestUser;
let outsider: TestUser;
let staffId: string;

const as = (user: TestUser): KernelContext => ({
  tenantId: acme.id,
  principal: { type: "user", userId: user.userId },
});

const approve = (requestId: string, requesterId: string): Syscall => ({
  action: "hr.timeoff.approve",
  resource: { type: "TimeOffRequest", id: requestId, attrs: { requesterId, days: 2 } },
  input: { requestId },
});

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  vacation = await acme.asOwner((ctx) =>
    createTimeOffPolicy(ctx, { name: "Vacation", kind: "vacation", accrualDaysPerYear: 20 }),
  );
  managerUser = await acme.add("employee");
  staffUser = await acme.add("employee");
  outsider = await acme.add("employee");
  const manager = await hire(acme, { email: managerUser.email });
  staffId = (await hire(acme, { email: staffUser.email, managerId: manager.id })).id;
});

describe("hris through the kernel", () => {
  it("passes the registry's checks", () => {
    expect(tools.actions().sort()).toEqual(
      [
        "hr.employee.create",
        "hr.employee.offboard",
        "hr.employee.read",
        "hr.employee.update",
        "hr.timeoff.approve",
        "hr.timeoff.cancel",
        "hr.timeoff.request",
      ].sort(),
    );
  });

  it("the manager recorded in HR approves a report's time off; someone else is denied and nothing changes", async () => {
    const { request } = await acme.asOwner((ctx) =>
      requestTimeOff(ctx, {
        employeeId: staffId,
        policyId: vacation.id,
        startDate: "2030-05-06",
        endDate: "2030-05-07",
      }),
    );
    const denied = await kernel.call(as(outsider), approve(request.id, staffUser.userId));
    expect(denied.status).toBe("denied");
    const before = await acme.asOwner((ctx) => balancesFor(ctx, staffId, 2030));
    expect(before[0]).toMatchObject({ pendingDays: 2, usedDays: 0 });

    const preview = await kernel.preview(as(managerUser), approve(request.id, staffUser.userId));
    expect(preview).toMatchObject({ connector: "hris", decision: { decision: "allow" } });
    expect(preview.changes[0]).toMatchObject({ fields: { status: { from: "requested", to: "approved" } } });
    expect(await acme.asOwner((ctx) => balancesFor(ctx, staffId, 2030))).toEqual(before);

    const approved = await kernel.call(as(managerUser), approve(request.id, staffUser.userId));
    expect(approved).toMatchObject({
      status: "succeeded",
      reasons: ["manager-approves-time-off"],
      output: {
        request: { status: "approved", decidedBy: managerUser.userId },
        balance: { usedDays: 2, pendingDays: 0 },
      },
    });
  });

  it("an owner's update goes through with its undo in the output; bad input never reaches the driver", async () => {
    const update: Syscall = {
      action: "hr.employee.update",
      resource: { type: "Employee", id: staffId, attrs: { userId: staffUser.userId } },
      input: { employeeId: staffId, changes: { title: "Lead" } },
    };
    const owner: KernelContext = {
      tenantId: acme.id,
      principal: { type: "user", userId: acme.owner.userId },
    };
    const result = await kernel.call(owner, update);
    expect(result).toMatchObject({ status: "succeeded", output: { previous: { title: "" } } });
    expect((await acme.asOwner((ctx) => getEmployee(ctx, staffId))).title).toBe("Lead");
    const bad = await kernel
      .preview(owner, { ...update, input: { employeeId: staffId, changes: { salary: 1 } } })
      .catch((error: unknown) => error);
    expect(bad).toMatchObject({ code: "BAD_REQUEST" });
    expect((await acme.asOwner((ctx) => getEmployee(ctx, staffId))).title).toBe("Lead");
  });
});

/**
 * Reporting lines recorded in HR (server/hr) reach the kernel's access decisions: the directory gives
 * each member their manager's user id and their department, so the default pack's
 * `manager-approves-time-off` lets a person's manager through and nobody else.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { createDepartment, terminateEmployee, updateEmployee } from "@/server/hr/employees";
import { hire } from "@/server/hr/fixtures";
import { Kernel, type Syscall } from "@/server/kernel/kernel";
import { createToolRegistry } from "@/server/kernel/tools/registry";
import {
  createTestTenant,
  kernelDeps,
  testDb,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { AccessEvaluator } from "./evaluator";
import { loadDirectory, resolvePrincipal, verifyApprovals } from "./principals";

const kernel = new Kernel({
  db: testDb,
  tools: createToolRegistry([]),
  evaluator: new AccessEvaluator(),
  ...kernelDeps(),
});

let acme: TestTenant;
let managerUser: TestUser;
let staffUser: TestUser;
let outsider: TestUser;
let staffEmployeeId: string;

const approveTimeOff = (requesterId: string): Syscall => ({
  action: "hr.timeoff.approve",
  resource: { type: "TimeOffRequest", id: "r-1", attrs: { requesterId, days: 2 } },
  input: { requestId: "r-1" },
});

async function decisionFor(user: TestUser) {
  const { outcome } = await kernel.authorize(
    { tenantId: acme.id, principal: { type: "user", userId: user.userId } },
    approveTimeOff(staffUser.userId),
  );
  if (outcome.kind !== "decided") throw new Error(`refused: ${outcome.explanation}`);
  return outcome.decision;
}

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  managerUser = await acme.add("employee");
  staffUser = await acme.add("employee");
  outsider = await acme.add("employee");
  const sales = await acme.asOwner((ctx) => createDepartment(ctx, { name: "Sales" }));
  const manager = await hire(acme, { email: managerUser.email });
  const staff = await hire(acme, { email: staffUser.email, managerId: manager.id, departmentId: sales.id });
  await hire(acme, { email: outsider.email });
  staffEmployeeId = staff.id;
});

describe("reporting lines from HR in access decisions", () => {
  it("the directory carries each member's manager (as a user) and department", async () => {
    const directory = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      loadDirectory(sqlOf(tx), acme.id, [staffUser.userId, managerUser.userId]),
    );
    expect(directory.members.get(staffUser.userId)).toMatchObject({
      managerId: managerUser.userId,
      department: "Sales",
    });
    expect(directory.members.get(managerUser.userId)).not.toHaveProperty("managerId");
  });

  it("manager-approves-time-off allows the manager recorded in HR, and denies someone else", async () => {
    expect(await decisionFor(managerUser)).toEqual({
      decision: "allow",
      reasons: ["manager-approves-time-off"],
    });
    expect(await decisionFor(outsider)).toMatchObject({ decision: "deny" });
  });

  it("a manager's approval of a report's request is verified against HR", async () => {
    const directory = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      loadDirectory(sqlOf(tx), acme.id, [staffUser.userId, managerUser.userId, outsider.userId]),
    );
    const principal = resolvePrincipal(directory, { type: "user", userId: staffUser.userId });
    if ("problem" in principal) throw new Error(principal.message);
    expect(
      verifyApprovals(directory, principal, [{ approver: "manager", userId: managerUser.userId }]),
    ).toEqual({
      ok: true,
      approvers: ["manager"],
    });
    expect(
      verifyApprovals(directory, principal, [{ approver: "manager", userId: outsider.userId }]),
    ).toMatchObject({ ok: false });
  });

  it("when HR moves the person to another manager, the old one is no longer let through", async () => {
    const outsiderRecord = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ id: string }>("SELECT id::text FROM hr.employee WHERE user_id = $1::uuid", [
        outsider.userId,
      ]),
    );
    await acme.asOwner((ctx) =>
      updateEmployee(ctx, {
        employeeId: staffEmployeeId,
        changes: { managerId: outsiderRecord[0]?.id ?? null },
      }),
    );
    expect(await decisionFor(managerUser)).toMatchObject({ decision: "deny" });
    expect(await decisionFor(outsider)).toMatchObject({
      decision: "allow",
      reasons: ["manager-approves-time-off"],
    });
    // A manager who has left approves nothing as a manager.
    await acme.asOwner((ctx) =>
      terminateEmployee(ctx, { employeeId: outsiderRecord[0]?.id ?? "", endDate: "2026-12-31" }),
    );
    expect(await decisionFor(outsider)).toMatchObject({ decision: "deny" });
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import type { DriverContext } from "@/connectors/sdk";
import { actingAs, driverContext } from "@/connectors/testing";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { caught, hire } from "@/server/hr/fixtures";
import { createTimeOffPolicy, type TimeOffPolicyView } from "@/server/hr/time-off";
import { createTestTenant, testDb, type TestTenant, type TestUser } from "@/server/testing/fixtures";
import { hrisDriver } from "./driver";
import { hrisManifest } from "./manifest";

const { actions } = hrisManifest;
const driver = hrisDriver.actions;

let acme: TestTenant;
let vacation: TimeOffPolicyView;
/** A call acting for the tenant's owner, who keeps the people records. */
const ctx = () => driverContext(testDb(), acme.id, null, actingAs(acme.owner.userId));
/** A call by an agent acting for `user`. */
const agentFor = (user: TestUser) =>
  driverContext(
    testDb(),
    acme.id,
    null,
    actingAs(user.userId, "5a1e0c3d-0000-4000-8000-0000000a9e17", "Agent HR bot"),
  );
/** What the kernel gives a dry run (kernel.preview): a READ ONLY transaction, where any write fails. */
const readOnly = (): DriverContext => ({
  ...ctx(),
  tenant: (fn) =>
    withTenant(testDb(), { tenantId: acme.id }, async (tx) => {
      await tx.$executeRawUnsafe("SET TRANSACTION READ ONLY");
      return fn(tx);
    }),
});

/** Every hr row of the tenant, as JSON: equal before and after means nothing was written. */
const snapshot = () =>
  withTenant(testDb(), { tenantId: acme.id }, async (tx) => {
    const [row] = await sqlOf(tx).query<{ state: string }>(
      `SELECT json_build_array(
         (SELECT json_agg(e ORDER BY e.id) FROM hr.employee e),
         (SELECT json_agg(r ORDER BY r.id) FROM hr.time_off_request r),
         (SELECT json_agg(b ORDER BY b.id) FROM hr.time_off_balance b),
         (SELECT json_agg(c ORDER BY c.id) FROM hr.checklist c),
         (SELECT count(*) FROM hr.checklist_item))::text AS state`,
    );
    return row?.state ?? "";
  });

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  vacation = await acme.asOwner((c) =>
    createTimeOffPolicy(c, { name: "Vacation", kind: "vacation", accrualDaysPerYear: 5 }),
  );
});

describe("hr.employee.create", () => {
  const input = actions.employeeCreate.input.parse({
    employeeNumber: "D-1",
    givenName: "Bob",
    familyName: "Lee",
    email: "bob@acme.test",
    title: "Engineer",
    startDate: "2030-01-07",
  });

  it("dry run describes the record and its onboarding, and writes nothing", async () => {
    expect(actions.employeeCreate.describe(input)).toBe("Create employee record for Bob Lee (bob@acme.test)");
    const before = await snapshot();
    const preview = await driver.employeeCreate.dryRun?.(input, readOnly());
    expect(await snapshot()).toBe(before);
    expect(preview?.changes[0]).toMatchObject({
      op: "create",
      object: "Employee record for Bob Lee (bob@acme.test)",
      fields: { employeeNumber: { to: "D-1" }, title: { to: "Engineer" }, startDate: { to: "2030-01-07" } },
    });
    expect(preview?.changes.filter((c) => c.object.startsWith("Onboarding"))).toHaveLength(5);
    expect(preview?.warnings).toEqual([
      "No member of this tenant has the email bob@acme.test: the record is not linked to an account",
    ]);
  });

  it("creates the record; its output matches the schema; the reversal offboards it", async () => {
    const output = actions.employeeCreate.output.parse(await driver.employeeCreate.run(input, ctx()));
    expect(output.employee).toMatchObject({ employeeNumber: "D-1", status: "active" });
    expect(output.onboarding.items).toHaveLength(5);
    const reversal = actions.employeeCreate.reversible;
    expect(reversal && reversal.by).toBe("hr.employee.offboard");
    expect(reversal && actions.employeeOffboard.input.parse(reversal.input(input, output))).toMatchObject({
      employeeId: output.employee.id,
      endDate: "2030-01-07",
    });
    expect(actions.employeeCreate.resources?.(input)).toEqual([{ key: "employee-number:D-1" }]);
  });

  it("refuses bad input at the schema, and a manager of another tenant in the driver, writing nothing", async () => {
    expect(actions.employeeCreate.input.safeParse({ ...input, email: "nope" }).success).toBe(false);
    const globex = await createTestTenant(testDb(), "globex");
    const stranger = await hire(globex);
    const before = await snapshot();
    const error = await caught(
      driver.employeeCreate.run(
        { ...input, employeeNumber: "D-2", email: "x@acme.test", managerId: stranger.id },
        ctx(),
      ),
    );
    expect(error.fields).toHaveProperty("managerId");
    expect((await caught(driver.employeeCreate.run(input, ctx()))).code).toBe("CONFLICT");
    expect(await snapshot()).toBe(before);
  });
});

describe("hr.employee.read and hr.employee.update", () => {
  it("reads by id or email with reporting lines", async () => {
    const boss = await hire(acme, { givenName: "Boss" });
    const report = await hire(acme, { managerId: boss.id });
    const byId = actions.employeeRead.output.parse(
      await driver.employeeRead.run(actions.employeeRead.input.parse({ employeeId: report.id }), ctx()),
    );
    expect(byId).toMatchObject({ employee: { id: report.id }, managerChain: [boss.id], directReports: [] });
    const byEmail = await driver.employeeRead.run(
      actions.employeeRead.input.parse({ email: boss.email.toUpperCase() }),
      ctx(),
    );
    expect(byEmail.directReports).toEqual([report.id]);
    expect(actions.employeeRead.input.safeParse({}).success).toBe(false);
    expect((await caught(driver.employeeRead.run({ email: "ghost@acme.test" }, ctx()))).code).toBe(
      "NOT_FOUND",
    );
  });

  it("dry run shows from/to per changed field; the update returns previous values that undo it", async () => {
    const person = await hire(acme, { title: "Engineer", location: "Paris" });
    const input = actions.employeeUpdate.input.parse({
      employeeId: person.id,
      changes: { title: "Lead", location: "Paris", timeZone: "Europe/Paris" },
    });
    expect(actions.employeeUpdate.describe(input)).toBe(
      `Update employee ${person.id}: title, location, time zone`,
    );
    expect(actions.employeeUpdate.resources?.(input)).toEqual([{ key: `employee:${person.id}` }]);
    const before = await snapshot();
    const preview = await driver.employeeUpdate.dryRun?.(input, readOnly());
    expect(await snapshot()).toBe(before);
    expect(preview?.changes).toEqual([
      {
        op: "update",
        object: `Employee record of ${person.givenName} Tester`,
        fields: { title: { from: "Engineer", to: "Lead" }, timeZone: { from: "UTC", to: "Europe/Paris" } },
      },
    ]);
    const output = actions.employeeUpdate.output.parse(await driver.employeeUpdate.run(input, ctx()));
    expect(output.previous).toEqual({ title: "Engineer", timeZone: "UTC" });
    const reversal = actions.employeeUpdate.reversible;
    if (!reversal) throw new Error("update is reversible");
    await driver.employeeUpdate.run(actions.employeeUpdate.input.parse(reversal.input(input, output)), ctx());
    const after = await driver.employeeRead.run({ employeeId: person.id }, ctx());
    expect(after.employee).toMatchObject({ title: "Engineer", timeZone: "UTC", location: "Paris" });
  });

  it("refuses an unknown field or a cycle, writing nothing", async () => {
    const a = await hire(acme);
    const b = await hire(acme, { managerId: a.id });
    expect(actions.employeeUpdate.input.safeParse({ employeeId: a.id, changes: { salary: 1 } }).success).toBe(
      false,
    );
    const before = await snapshot();
    const error = await caught(
      driver.employeeUpdate.run({ employeeId: a.id, changes: { managerId: b.id } }, ctx()),
    );
    expect(error.fields).toHaveProperty("managerId");
    expect(await snapshot()).toBe(before);
  });
});

describe("hr.employee.offboard", () => {
  it("dry run lists the status change, end date, checklist items and warnings; the run does it", async () => {
    const boss = await hire(acme, { givenName: "Leaving" });
    await hire(acme, { givenName: "Report", managerId: boss.id });
    const input = actions.employeeOffboard.input.parse({ employeeId: boss.id, endDate: "2030-06-28" });
    expect(actions.employeeOffboard.describe(input)).toBe(
      `Offboard employee ${boss.id}, last day 2030-06-28`,
    );
    const before = await snapshot();
    const preview = await driver.employeeOffboard.dryRun?.(input, readOnly());
    expect(await snapshot()).toBe(before);
    expect(preview?.changes[0]).toEqual({
      op: "update",
      object: "Employee record of Leaving Tester",
      fields: { status: { from: "active", to: "terminated" }, endDate: { from: null, to: "2030-06-28" } },
    });
    expect(preview?.changes.slice(1).map((c) => c.object)).toContain(
      'Offboarding checklist item "Disable accounts and revoke access"',
    );
    expect(preview?.warnings[0]).toMatch(/^1 person reports to Leaving Tester and will need a new manager/);
    const output = actions.employeeOffboard.output.parse(await driver.employeeOffboard.run(input, ctx()));
    expect(output.employee).toMatchObject({ status: "terminated", endDate: "2030-06-28" });
    expect(output.offboarding.items).toHaveLength(5);
    expect(actions.employeeOffboard.reversible).toBe(false);
    const again = await snapshot();
    expect((await caught(driver.employeeOffboard.run(input, ctx()))).code).toBe("CONFLICT");
    expect(await snapshot()).toBe(again);
  });
});

describe("time off", () => {
  it("request: dry run warns about a low balance and writes nothing; the run reserves; cancel reverses it", async () => {
    const person = await hire(acme);
    const input = actions.timeoffRequest.input.parse({
      employeeId: person.id,
      policyId: vacation.id,
      startDate: "2030-03-04",
      endDate: "2030-03-08",
      days: 4.5,
    });
    expect(actions.timeoffRequest.resources?.(input)).toEqual([{ key: `timeoff:${person.id}` }]);
    const before = await snapshot();
    const preview = await driver.timeoffRequest.dryRun?.(input, readOnly());
    expect(await snapshot()).toBe(before);
    expect(preview?.warnings).toEqual(["Balance would drop to 0.5 days"]);
    expect(preview?.changes[1]).toEqual({
      op: "update",
      object: "Vacation balance 2030",
      fields: { pendingDays: { from: 0, to: 4.5 }, availableDays: { from: 5, to: 0.5 } },
    });
    const output = actions.timeoffRequest.output.parse(await driver.timeoffRequest.run(input, ctx()));
    expect(output).toMatchObject({
      request: { status: "requested", days: 4.5 },
      balance: { availableDays: 0.5 },
    });
    const reversal = actions.timeoffRequest.reversible;
    if (!reversal) throw new Error("a request is reversible");
    const cancelInput = actions.timeoffCancel.input.parse(reversal.input(input, output));
    const cancelPreview = await driver.timeoffCancel.dryRun?.(cancelInput, readOnly());
    expect(cancelPreview?.changes[0]?.fields).toEqual({ status: { from: "requested", to: "cancelled" } });
    const cancelled = actions.timeoffCancel.output.parse(await driver.timeoffCancel.run(cancelInput, ctx()));
    expect(cancelled).toMatchObject({ request: { status: "cancelled" }, balance: { availableDays: 5 } });
  });

  it("request: refuses too many days and bad dates, writing nothing", async () => {
    const person = await hire(acme);
    expect(
      actions.timeoffRequest.input.safeParse({
        employeeId: person.id,
        policyId: vacation.id,
        startDate: "2030-03-08",
        endDate: "2030-03-04",
      }).success,
    ).toBe(false);
    const before = await snapshot();
    const tooMany = actions.timeoffRequest.input.parse({
      employeeId: person.id,
      policyId: vacation.id,
      startDate: "2030-03-04",
      endDate: "2030-03-12",
    });
    expect(
      (await caught(driver.timeoffRequest.dryRun?.(tooMany, readOnly()) ?? Promise.resolve())).code,
    ).toBe("CONFLICT");
    expect((await caught(driver.timeoffRequest.run(tooMany, ctx()))).code).toBe("CONFLICT");
    expect(await snapshot()).toBe(before);
  });

  it("approve: dry run shows pending moving to used and writes nothing; the run approves once", async () => {
    const person = await hire(acme);
    const { request } = await driver.timeoffRequest.run(
      actions.timeoffRequest.input.parse({
        employeeId: person.id,
        policyId: vacation.id,
        startDate: "2030-04-01",
        endDate: "2030-04-02",
      }),
      ctx(),
    );
    const input = actions.timeoffApprove.input.parse({ requestId: request.id });
    expect(actions.timeoffApprove.describe(input)).toBe(`Approve time-off request ${request.id}`);
    const before = await snapshot();
    const preview = await driver.timeoffApprove.dryRun?.(input, readOnly());
    expect(await snapshot()).toBe(before);
    expect(preview?.changes).toEqual([
      {
        op: "update",
        object: `${person.givenName} Tester's time off 2030-04-01 to 2030-04-02 (2 days)`,
        fields: { status: { from: "requested", to: "approved" } },
      },
      {
        op: "update",
        object: "Vacation balance 2030",
        fields: {
          pendingDays: { from: 2, to: 0 },
          usedDays: { from: 0, to: 2 },
          availableDays: { from: 3, to: 3 },
        },
      },
    ]);
    const output = actions.timeoffApprove.output.parse(await driver.timeoffApprove.run(input, ctx()));
    expect(output).toMatchObject({
      request: { status: "approved", decidedBy: acme.owner.userId },
      balance: { usedDays: 2 },
    });
    expect(output.request.decidedAt).not.toBeNull();
    const after = await snapshot();
    expect((await caught(driver.timeoffApprove.run(input, ctx()))).code).toBe("CONFLICT");
    expect(actions.timeoffApprove.input.safeParse({ requestId: request.id, decision: "maybe" }).success).toBe(
      false,
    );
    expect(await snapshot()).toBe(after);
  });

  it("approve acts as the person the agent acts for: not the requester, not a stranger; the manager is recorded", async () => {
    const managerUser = await acme.add("employee");
    const staffUser = await acme.add("employee");
    const stranger = await acme.add("employee");
    const manager = await hire(acme, { email: managerUser.email });
    const staff = await hire(acme, { email: staffUser.email, managerId: manager.id });
    const { request } = await driver.timeoffRequest.run(
      actions.timeoffRequest.input.parse({
        employeeId: staff.id,
        policyId: vacation.id,
        startDate: "2030-06-03",
        endDate: "2030-06-04",
      }),
      agentFor(staffUser),
    );
    const input = actions.timeoffApprove.input.parse({ requestId: request.id });
    const before = await snapshot();
    const own = await caught(driver.timeoffApprove.run(input, agentFor(staffUser)));
    expect(own).toMatchObject({ code: "FORBIDDEN", message: "Nobody decides their own time off" });
    expect(
      (await caught(driver.timeoffApprove.dryRun?.(input, agentFor(staffUser)) ?? Promise.resolve())).code,
    ).toBe("FORBIDDEN");
    expect((await caught(driver.timeoffApprove.run(input, agentFor(stranger)))).code).toBe("NOT_FOUND");
    // Nobody who is not a member of the tenant acts at all.
    expect((await caught(driver.timeoffApprove.run(input, driverContext(testDb(), acme.id)))).code).toBe(
      "FORBIDDEN",
    );
    expect(await snapshot()).toBe(before);

    const approved = actions.timeoffApprove.output.parse(
      await driver.timeoffApprove.run(input, agentFor(managerUser)),
    );
    expect(approved.request).toMatchObject({ status: "approved", decidedBy: managerUser.userId });
  });
});

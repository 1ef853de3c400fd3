import { beforeAll, describe, expect, inject, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { createTestTenant, testDb, type TestTenant, type TestUser } from "@/server/testing/fixtures";
import type { HrContext } from "./common";
import type { EmployeeView } from "./employees";
import { terminateEmployee } from "./employees";
import { asAppRole, caught, hire, sqlStateOf } from "./fixtures";
import {
  balancesFor,
  cancelTimeOff,
  createTimeOffPolicy,
  decideTimeOff,
  listTimeOffRequests,
  requestTimeOff,
  setEntitlement,
  workingDays,
  type TimeOffPolicyView,
} from "./time-off";

let acme: TestTenant;
let vacation: TimeOffPolicyView;
let managerUser: TestUser;
let staffUser: TestUser;
let manager: EmployeeView;
let staff: EmployeeView;

const as = <T>(user: TestUser, fn: (ctx: HrContext) => Promise<T>) =>
  withTenant(testDb(), { tenantId: acme.id }, (tx) =>
    fn({
      tenantId: acme.id,
      db: tx,
      actor: { userId: user.userId, membershipId: user.membershipId, role: user.role },
    }),
  );

const balance = async (employeeId: string, year = 2026) =>
  (await acme.asOwner((ctx) => balancesFor(ctx, employeeId, year))).find((b) => b.policyId === vacation.id);

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  vacation = await acme.asOwner((ctx) =>
    createTimeOffPolicy(ctx, {
      name: "Vacation",
      kind: "vacation",
      accrualDaysPerYear: 10,
      maxCarryoverDays: 3,
    }),
  );
  managerUser = await acme.add("employee");
  staffUser = await acme.add("employee");
  manager = await hire(acme, { email: managerUser.email });
  staff = await hire(acme, { email: staffUser.email, managerId: manager.id });
});

describe("time-off policies and balances", () => {
  it("counts working days", () => {
    expect(workingDays("2026-06-01", "2026-06-07")).toBe(5);
    expect(workingDays("2026-06-06", "2026-06-07")).toBe(0);
  });

  it("opens a year's balance from the policy, carrying over at most the policy's limit", async () => {
    const person = await hire(acme);
    expect(await balance(person.id, 2025)).toMatchObject({
      entitledDays: 10,
      carryoverDays: 0,
      availableDays: 10,
    });
    await acme.asOwner((ctx) =>
      requestTimeOff(ctx, {
        employeeId: person.id,
        policyId: vacation.id,
        startDate: "2025-03-03",
        endDate: "2025-03-04",
      }),
    );
    // 8 days left in 2025, the policy carries 3 over.
    expect(await balance(person.id, 2026)).toMatchObject({
      entitledDays: 10,
      carryoverDays: 3,
      availableDays: 13,
    });
  });

  it("refuses a policy with fractions other than half days", async () => {
    const error = await caught(
      acme.asOwner((ctx) =>
        createTimeOffPolicy(ctx, { name: "Odd", kind: "other", accrualDaysPerYear: 1.3 }),
      ),
    );
    expect(error.fields).toHaveProperty("accrualDaysPerYear");
  });
});

describe("requests", () => {
  it("reserves pending days; approval moves them to used; cancellation gives them back", async () => {
    const { request, balance: after } = await as(staffUser, (ctx) =>
      requestTimeOff(ctx, {
        employeeId: staff.id,
        policyId: vacation.id,
        startDate: "2026-06-01",
        endDate: "2026-06-03",
        reason: "Holiday",
      }),
    );
    expect(request).toMatchObject({ status: "requested", days: 3 });
    expect(after).toMatchObject({ pendingDays: 3, usedDays: 0, availableDays: 7 });
    expect(await balance(staff.id)).toMatchObject({ pendingDays: 3, usedDays: 0, availableDays: 7 });

    // The person cannot approve their own request; their manager can.
    expect((await caught(as(staffUser, (ctx) => decideTimeOff(ctx, { requestId: request.id })))).code).toBe(
      "FORBIDDEN",
    );
    const approved = await as(managerUser, (ctx) => decideTimeOff(ctx, { requestId: request.id }));
    expect(approved.request).toMatchObject({ status: "approved", decidedBy: managerUser.userId });
    expect(await balance(staff.id)).toMatchObject({ pendingDays: 0, usedDays: 3, availableDays: 7 });
    expect((await caught(as(managerUser, (ctx) => decideTimeOff(ctx, { requestId: request.id })))).code).toBe(
      "CONFLICT",
    );

    await as(staffUser, (ctx) => cancelTimeOff(ctx, { requestId: request.id }));
    expect(await balance(staff.id)).toMatchObject({ pendingDays: 0, usedDays: 0, availableDays: 10 });
    expect((await caught(as(staffUser, (ctx) => cancelTimeOff(ctx, { requestId: request.id })))).code).toBe(
      "CONFLICT",
    );
  });

  it("rejection gives the pending days back; half days count exactly", async () => {
    const { request } = await as(staffUser, (ctx) =>
      requestTimeOff(ctx, {
        employeeId: staff.id,
        policyId: vacation.id,
        startDate: "2026-07-01",
        endDate: "2026-07-01",
        days: 0.5,
      }),
    );
    expect(await balance(staff.id)).toMatchObject({ pendingDays: 0.5, availableDays: 9.5 });
    await as(managerUser, (ctx) => decideTimeOff(ctx, { requestId: request.id, decision: "rejected" }));
    expect(await balance(staff.id)).toMatchObject({ pendingDays: 0, usedDays: 0, availableDays: 10 });
  });

  it("refuses more days than the balance holds, and overlapping time off, writing nothing", async () => {
    const person = await hire(acme);
    const tooMuch = await caught(
      acme.asOwner((ctx) =>
        requestTimeOff(ctx, {
          employeeId: person.id,
          policyId: vacation.id,
          startDate: "2026-08-03",
          endDate: "2026-08-21",
        }),
      ),
    );
    expect(tooMuch.code).toBe("CONFLICT");
    expect(tooMuch.message).toMatch(/10 days available, 15 requested/);
    await acme.asOwner((ctx) =>
      requestTimeOff(ctx, {
        employeeId: person.id,
        policyId: vacation.id,
        startDate: "2026-09-07",
        endDate: "2026-09-09",
      }),
    );
    const overlap = await caught(
      acme.asOwner((ctx) =>
        requestTimeOff(ctx, {
          employeeId: person.id,
          policyId: vacation.id,
          startDate: "2026-09-09",
          endDate: "2026-09-10",
        }),
      ),
    );
    expect(overlap.code).toBe("CONFLICT");
    expect(await acme.asOwner((ctx) => listTimeOffRequests(ctx, person.id))).toHaveLength(1);
    expect(await balance(person.id)).toMatchObject({ pendingDays: 3 });
  });

  it("two requests at once that each fit but not together: exactly one is taken", async () => {
    const person = await hire(acme);
    const ask = (startDate: string, endDate: string) =>
      acme.asOwner((ctx) =>
        requestTimeOff(ctx, { employeeId: person.id, policyId: vacation.id, startDate, endDate }),
      );
    const settled = await Promise.allSettled([
      ask("2026-02-02", "2026-02-09"),
      ask("2026-03-02", "2026-03-09"),
    ]);
    expect(settled.map((s) => s.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await balance(person.id)).toMatchObject({ pendingDays: 6, availableDays: 4 });
  });

  it("the database refuses an overdrawn balance and overlapping requests, whatever code writes", async () => {
    const person = await hire(acme);
    await acme.asOwner((ctx) =>
      requestTimeOff(ctx, {
        employeeId: person.id,
        policyId: vacation.id,
        startDate: "2026-10-05",
        endDate: "2026-10-06",
      }),
    );
    const overdraw = await sqlStateOf(
      asAppRole(inject("appUrl"), acme.id, (client) =>
        client.query(
          "UPDATE hr.time_off_balance SET pending_half_days = pending_half_days + 100 WHERE employee_id = $1",
          [person.id],
        ),
      ),
    );
    expect(overdraw).toBe("23514");
    const overlap = await sqlStateOf(
      asAppRole(inject("appUrl"), acme.id, (client) =>
        client.query(
          `INSERT INTO hr.time_off_request (tenant_id, employee_id, policy_id, start_date, end_date, half_days)
           VALUES ($1, $2, $3, '2026-10-06', '2026-10-07', 4)`,
          [acme.id, person.id, vacation.id],
        ),
      ),
    );
    expect(overlap).toBe("23P01");
    // A cancelled request frees its dates: the same range can be requested again.
    const [first] = await acme.asOwner((ctx) => listTimeOffRequests(ctx, person.id));
    await acme.asOwner((ctx) => cancelTimeOff(ctx, { requestId: first?.id ?? "" }));
    await acme.asOwner((ctx) =>
      requestTimeOff(ctx, {
        employeeId: person.id,
        policyId: vacation.id,
        startDate: "2026-10-05",
        endDate: "2026-10-06",
      }),
    );
    expect(await balance(person.id)).toMatchObject({ pendingDays: 2 });
  });

  it("refuses ranges across the new year, weekends only, and other people's requests", async () => {
    const person = await hire(acme);
    const acrossYears = await caught(
      acme.asOwner((ctx) =>
        requestTimeOff(ctx, {
          employeeId: person.id,
          policyId: vacation.id,
          startDate: "2026-12-30",
          endDate: "2027-01-02",
        }),
      ),
    );
    expect(acrossYears.fields).toHaveProperty("endDate");
    const weekend = await caught(
      acme.asOwner((ctx) =>
        requestTimeOff(ctx, {
          employeeId: person.id,
          policyId: vacation.id,
          startDate: "2026-06-06",
          endDate: "2026-06-07",
        }),
      ),
    );
    expect(weekend.fields).toHaveProperty("days");
    const other = await caught(
      as(staffUser, (ctx) =>
        requestTimeOff(ctx, {
          employeeId: person.id,
          policyId: vacation.id,
          startDate: "2026-06-08",
          endDate: "2026-06-08",
        }),
      ),
    );
    expect(other.code).toBe("NOT_FOUND");
  });

  it("an entitlement cannot be set below what is already used or requested", async () => {
    const person = await hire(acme);
    await acme.asOwner((ctx) =>
      requestTimeOff(ctx, {
        employeeId: person.id,
        policyId: vacation.id,
        startDate: "2026-11-02",
        endDate: "2026-11-06",
      }),
    );
    const error = await caught(
      acme.asOwner((ctx) =>
        setEntitlement(ctx, { employeeId: person.id, policyId: vacation.id, year: 2026, entitledDays: 4 }),
      ),
    );
    expect(error.fields).toHaveProperty("entitledDays");
    await acme.asOwner((ctx) =>
      setEntitlement(ctx, {
        employeeId: person.id,
        policyId: vacation.id,
        year: 2026,
        entitledDays: 20,
        carryoverDays: 1.5,
      }),
    );
    expect(await balance(person.id)).toMatchObject({
      entitledDays: 20,
      carryoverDays: 1.5,
      availableDays: 16.5,
    });
  });

  it("terminating someone cancels their time off after the last day and gives the days back", async () => {
    const person = await hire(acme);
    const { request: before } = await acme.asOwner((ctx) =>
      requestTimeOff(ctx, {
        employeeId: person.id,
        policyId: vacation.id,
        startDate: "2026-05-04",
        endDate: "2026-05-05",
      }),
    );
    await acme.asOwner((ctx) => decideTimeOff(ctx, { requestId: before.id }));
    await acme.asOwner((ctx) =>
      requestTimeOff(ctx, {
        employeeId: person.id,
        policyId: vacation.id,
        startDate: "2026-07-06",
        endDate: "2026-07-07",
      }),
    );
    const { cancelledTimeOff } = await acme.asOwner((ctx) =>
      terminateEmployee(ctx, { employeeId: person.id, endDate: "2026-06-30" }),
    );
    expect(cancelledTimeOff).toBe(1);
    expect(await balance(person.id)).toMatchObject({ usedDays: 2, pendingDays: 0 });
  });
});

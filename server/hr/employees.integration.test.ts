import { beforeAll, describe, expect, inject, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { createTestTenant, testDb, type TestTenant } from "@/server/testing/fixtures";
import { completeChecklistItem, listChecklists } from "./checklists";
import {
  createDepartment,
  createEmployee,
  getEmployee,
  managerChain,
  orgChart,
  reportsOf,
  terminateEmployee,
  updateEmployee,
} from "./employees";
import { asAppRole, caught, hire, sqlStateOf } from "./fixtures";

let acme: TestTenant;
let globex: TestTenant;

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
});

describe("employees", () => {
  it("creates a record with its onboarding checklist dated from the start date, and audits it", async () => {
    const { employee, onboarding } = await acme.asOwner((ctx) =>
      createEmployee(ctx, {
        employeeNumber: "A-100",
        givenName: "Bob",
        familyName: "Lee",
        email: "Bob.Lee@acme.test",
        title: "Engineer",
        startDate: "2026-03-02",
        timeZone: "europe/paris",
      }),
    );
    expect(employee).toMatchObject({
      employeeNumber: "A-100",
      email: "Bob.Lee@acme.test",
      status: "active",
      timeZone: "Europe/Paris",
    });
    expect(onboarding.kind).toBe("onboarding");
    expect(onboarding.items.map((i) => [i.owner, i.dueDate])).toEqual([
      ["it", "2026-02-27"],
      ["it", "2026-03-01"],
      ["facilities", "2026-03-01"],
      ["hr", "2026-03-02"],
      ["manager", "2026-03-02"],
    ]);
    const audit = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      tx.auditEntry.findFirst({
        where: { tenantId: acme.id, action: "hr.employee_created" },
        orderBy: { seq: "desc" },
      }),
    );
    expect(audit).toMatchObject({ resourceId: employee.id, resourceLabel: "Bob Lee" });
  });

  it("refuses bad input with every field named, and writes nothing", async () => {
    const error = await caught(
      acme.asOwner((ctx) =>
        createEmployee(ctx, {
          employeeNumber: "bad number!",
          givenName: "",
          familyName: "X",
          email: "not-an-email",
          startDate: "2026-13-01",
          timeZone: "Mars/Olympus",
        }),
      ),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(
      ["email", "employeeNumber", "givenName", "startDate", "timeZone"].sort(),
    );
  });

  it("refuses a second record with the same email in another case", async () => {
    await hire(acme, { email: "dup@acme.test" });
    const error = await caught(hire(acme, { email: "DUP@acme.test" }));
    expect(error.code).toBe("CONFLICT");
  });

  it("two creations of one employee number at once: the database lets one through, the other is a conflict", async () => {
    const create = (email: string) =>
      acme.asOwner((ctx) =>
        createEmployee(ctx, {
          employeeNumber: "RACE-1",
          givenName: "R",
          familyName: "C",
          email,
          startDate: "2026-01-01",
        }),
      );
    const settled = await Promise.allSettled([create("race1@acme.test"), create("race2@acme.test")]);
    expect(settled.map((s) => s.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refusals = settled.flatMap((s): unknown[] => {
      const reason: unknown = s.status === "rejected" ? s.reason : undefined;
      return reason === undefined ? [] : [reason];
    });
    expect(refusals[0]).toMatchObject({ code: "CONFLICT" });
  });

  it("links the record to the member with the same email", async () => {
    const member = await acme.add("employee");
    const employee = await hire(acme, { email: member.email.toUpperCase() });
    expect(employee.userId).toBe(member.userId);
  });

  it("keeps other tenants' employees out of reach", async () => {
    const bob = await hire(acme);
    const error = await caught(globex.asOwner((ctx) => getEmployee(ctx, bob.id)));
    expect(error.code).toBe("NOT_FOUND");
    const asManager = await caught(
      globex.asOwner((ctx) =>
        createEmployee(ctx, {
          employeeNumber: "G-1",
          givenName: "G",
          familyName: "H",
          email: "g@globex.test",
          startDate: "2026-01-01",
          managerId: bob.id,
        }),
      ),
    );
    expect(asManager.fields).toHaveProperty("managerId");
  });

  it("row-level security and tenant-scoped keys hold for plain SQL too", async () => {
    const bob = await hire(acme);
    const seen = await asAppRole(inject("appUrl"), globex.id, (client) =>
      client.query("SELECT id FROM hr.employee WHERE id = $1", [bob.id]),
    );
    expect(seen.rows).toEqual([]);
    // Writing a row for another tenant, or pointing at another tenant's employee, is refused.
    const foreignRow = await sqlStateOf(
      asAppRole(inject("appUrl"), globex.id, (client) =>
        client.query(
          `INSERT INTO hr.employee (tenant_id, employee_number, given_name, family_name, work_email, start_date)
           VALUES ($1, 'X-1', 'X', 'Y', 'x@globex.test', '2026-01-01')`,
          [acme.id],
        ),
      ),
    );
    expect(foreignRow).toBe("42501");
    const foreignManager = await sqlStateOf(
      asAppRole(inject("appUrl"), globex.id, (client) =>
        client.query(
          `INSERT INTO hr.employee (tenant_id, employee_number, given_name, family_name, work_email, start_date, manager_id)
           VALUES ($1, 'X-2', 'X', 'Y', 'x2@globex.test', '2026-01-01', $2)`,
          [globex.id, bob.id],
        ),
      ),
    );
    expect(foreignManager).toBe("23503");
  });

  it("lets only owners and admins change records", async () => {
    const employee = await acme.add("employee");
    const error = await caught(
      withTenant(testDb(), { tenantId: acme.id }, (tx) =>
        createEmployee(
          {
            tenantId: acme.id,
            db: tx,
            actor: { userId: employee.userId, membershipId: employee.membershipId, role: "employee" },
          },
          {
            employeeNumber: "X-1",
            givenName: "X",
            familyName: "Y",
            email: "x@acme.test",
            startDate: "2026-01-01",
          },
        ),
      ),
    );
    expect(error.code).toBe("FORBIDDEN");
  });

  it("refuses to give one person another's email or account", async () => {
    const member = await acme.add("employee");
    const ann = await hire(acme, { email: member.email });
    const ben = await hire(acme);
    const email = await caught(
      acme.asOwner((ctx) =>
        updateEmployee(ctx, { employeeId: ben.id, changes: { email: ann.email.toUpperCase() } }),
      ),
    );
    expect(email.code).toBe("CONFLICT");
    const account = await caught(
      acme.asOwner((ctx) => updateEmployee(ctx, { employeeId: ben.id, changes: { userId: member.userId } })),
    );
    expect(account.code).toBe("CONFLICT");
  });

  it("updates only what changes and returns the previous values", async () => {
    const bob = await hire(acme, { title: "Engineer", location: "Paris" });
    const { employee, previous } = await acme.asOwner((ctx) =>
      updateEmployee(ctx, { employeeId: bob.id, changes: { title: "Lead", location: "Paris" } }),
    );
    expect(employee.title).toBe("Lead");
    expect(previous).toEqual({ title: "Engineer" });
  });
});

describe("org chart and reporting lines", () => {
  it("builds the tree from the top, a manager's reports and the chain of managers", async () => {
    const tenant = await createTestTenant(testDb(), "org");
    const sales = await tenant.asOwner((ctx) => createDepartment(ctx, { name: "Sales" }));
    const ceo = await hire(tenant, { givenName: "Ceo" });
    const vp = await hire(tenant, { givenName: "Vp", managerId: ceo.id, departmentId: sales.id });
    const rep1 = await hire(tenant, { givenName: "Rep1", managerId: vp.id });
    const rep2 = await hire(tenant, { givenName: "Rep2", managerId: vp.id });
    const chart = await tenant.asOwner((ctx) => orgChart(ctx));
    expect(chart.map((n) => n.id)).toEqual([ceo.id]);
    expect(chart[0]?.reports.map((n) => n.id)).toEqual([vp.id]);
    expect(chart[0]?.reports[0]?.reports.map((n) => n.id).sort()).toEqual([rep1.id, rep2.id].sort());
    expect(chart[0]?.reports[0]?.department).toBe("Sales");
    expect((await tenant.asOwner((ctx) => reportsOf(ctx, vp.id))).map((e) => e.id).sort()).toEqual(
      [rep1.id, rep2.id].sort(),
    );
    expect((await tenant.asOwner((ctx) => managerChain(ctx, rep1.id))).map((e) => e.id)).toEqual([
      vp.id,
      ceo.id,
    ]);
  });

  it("refuses a reporting cycle, in the code and in the database", async () => {
    const a = await hire(acme, { givenName: "Alpha" });
    const b = await hire(acme, { givenName: "Beta", managerId: a.id });
    const c = await hire(acme, { givenName: "Gamma", managerId: b.id });
    const error = await caught(
      acme.asOwner((ctx) => updateEmployee(ctx, { employeeId: a.id, changes: { managerId: c.id } })),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.fields).toHaveProperty("managerId");
    // The same change as plain SQL, bypassing server/hr, is refused by the trigger.
    const state = await sqlStateOf(
      asAppRole(inject("appUrl"), acme.id, (client) =>
        client.query("UPDATE hr.employee SET manager_id = $1 WHERE id = $2", [c.id, a.id]),
      ),
    );
    expect(state).toBe("HR001");
    expect((await acme.asOwner((ctx) => getEmployee(ctx, a.id))).managerId).toBeNull();
  });
});

describe("reporting lines changed at once", () => {
  it("A reports to B and B reports to A, at the same time: one change is refused", async () => {
    const a = await hire(acme);
    const b = await hire(acme);
    const settled = await Promise.allSettled([
      acme.asOwner((ctx) => updateEmployee(ctx, { employeeId: a.id, changes: { managerId: b.id } })),
      acme.asOwner((ctx) => updateEmployee(ctx, { employeeId: b.id, changes: { managerId: a.id } })),
    ]);
    expect(settled.map((s) => s.status).sort()).toEqual(["fulfilled", "rejected"]);
    const chains = [
      await acme.asOwner((ctx) => managerChain(ctx, a.id)),
      await acme.asOwner((ctx) => managerChain(ctx, b.id)),
    ];
    expect(chains.map((chain) => chain.length).sort()).toEqual([0, 1]);
    const refusals = settled.flatMap((s): unknown[] => {
      const reason: unknown = s.status === "rejected" ? s.reason : undefined;
      return reason === undefined ? [] : [reason];
    });
    expect(refusals[0]).toMatchObject({ code: "BAD_REQUEST", fields: { managerId: [expect.any(String)] } });
  });
});

describe("terminate and checklists", () => {
  it("terminates with an end date, opens the offboarding checklist, and closes the record", async () => {
    const boss = await hire(acme, { givenName: "Boss" });
    const leaver = await hire(acme, { givenName: "Leaver", managerId: boss.id });
    const { employee, offboarding } = await acme.asOwner((ctx) =>
      terminateEmployee(ctx, { employeeId: leaver.id, endDate: "2026-06-30", reason: "Resigned" }),
    );
    expect(employee).toMatchObject({ status: "terminated", endDate: "2026-06-30" });
    expect(offboarding.kind).toBe("offboarding");
    expect(offboarding.items).toHaveLength(5);
    expect(offboarding.items.every((i) => i.dueDate <= "2026-06-30")).toBe(true);
    expect(
      (
        await caught(
          acme.asOwner((ctx) => terminateEmployee(ctx, { employeeId: leaver.id, endDate: "2026-07-01" })),
        )
      ).code,
    ).toBe("CONFLICT");
    expect(
      (
        await caught(
          acme.asOwner((ctx) => updateEmployee(ctx, { employeeId: leaver.id, changes: { title: "X" } })),
        )
      ).code,
    ).toBe("CONFLICT");
    expect(await acme.asOwner((ctx) => reportsOf(ctx, boss.id))).toEqual([]);
  });

  it("refuses an end date before the start date", async () => {
    const person = await hire(acme, { startDate: "2026-05-01" });
    const error = await caught(
      acme.asOwner((ctx) => terminateEmployee(ctx, { employeeId: person.id, endDate: "2026-04-01" })),
    );
    expect(error.fields).toHaveProperty("endDate");
    expect((await acme.asOwner((ctx) => getEmployee(ctx, person.id))).status).toBe("active");
  });

  it("ticks items off; the checklist completes with the last; the manager may tick their own items only", async () => {
    const managerUser = await acme.add("employee");
    const manager = await hire(acme, { email: managerUser.email });
    const joiner = await hire(acme, { managerId: manager.id });
    const [list] = await acme.asOwner((ctx) => listChecklists(ctx, joiner.id));
    expect(list?.status).toBe("open");
    const items = list?.items ?? [];
    const asManager = <T>(fn: (ctx: Parameters<typeof completeChecklistItem>[0]) => Promise<T>) =>
      withTenant(testDb(), { tenantId: acme.id }, (tx) =>
        fn({
          tenantId: acme.id,
          db: tx,
          actor: { userId: managerUser.userId, membershipId: managerUser.membershipId, role: "employee" },
        }),
      );
    const managerItem = items.find((i) => i.owner === "manager");
    const itItem = items.find((i) => i.owner === "it");
    expect((await caught(asManager((ctx) => completeChecklistItem(ctx, itItem?.id ?? "")))).code).toBe(
      "FORBIDDEN",
    );
    expect(
      (await asManager((ctx) => completeChecklistItem(ctx, managerItem?.id ?? ""))).checklistStatus,
    ).toBe("open");
    expect(
      (await caught(acme.asOwner((ctx) => completeChecklistItem(ctx, managerItem?.id ?? "")))).code,
    ).toBe("CONFLICT");
    let last = "open";
    for (const item of items.filter((i) => i.owner !== "manager"))
      last = (await acme.asOwner((ctx) => completeChecklistItem(ctx, item.id))).checklistStatus;
    expect(last).toBe("completed");
    const [after] = await acme.asOwner((ctx) => listChecklists(ctx, joiner.id));
    expect(after?.items.find((i) => i.id === managerItem?.id)?.doneBy).toBe(managerUser.userId);
  });
});

/**
 * The People page's API over HTTP (tRPC's fetch adapter and the real router): who sees what in the
 * directory, a foreign tenant's employee id, CSV import (every bad row listed and nothing written, or
 * the summary) and export, for owners and admins only.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { hire } from "@/server/hr/fixtures";
import {
  createTestTenant,
  testDb,
  withOwner,
  type TestTenant,
  type TestUser,
  callAs,
  expectOk,
} from "@/server/testing/fixtures";
import { csvExportOutput } from "./csv-export.types";
import { csvImportOutput } from "./csv-import.types";
import { getOutput } from "./get.types";
import { listOutput } from "./list.types";
import { orgChartOutput } from "./org-chart.types";

const db = testDb();
let acme: TestTenant;
let globex: TestTenant;
let acmeAdmin: TestUser;
let acmeEmployee: TestUser;

beforeAll(async () => {
  acme = await createTestTenant(db, "acme");
  globex = await createTestTenant(db, "globex");
  acmeAdmin = await acme.add("admin");
  acmeEmployee = await acme.add("employee");
});

/** What an import or export could write in a tenant, read as the database owner. */
const written = (tenant: TestTenant) =>
  withOwner(async (c) => ({
    employees: (
      await c.query(
        `SELECT id, employee_number, manager_id, updated_at FROM hr.employee WHERE tenant_id = $1 ORDER BY id`,
        [tenant.id],
      )
    ).rows,
    departments: (await c.query(`SELECT id FROM hr.department WHERE tenant_id = $1`, [tenant.id])).rows
      .length,
    audit: (await c.query(`SELECT seq FROM "AuditEntry" WHERE "tenantId" = $1`, [tenant.id])).rows.length,
  }));

const HEADER = "employee_number,given_name,family_name,email,title,department,manager_email,start_date";

describe("hr router: the directory", () => {
  it("shows every member the directory's fields, and owners and admins the whole record", async () => {
    const boss = await hire(acme, { givenName: "Grace", title: "CEO" });
    const report = await hire(acme, { givenName: "Linus", title: "Engineer", managerId: boss.id });
    const asEmployee = expectOk(await callAs(acmeEmployee, acme, "hr.list", { search: "linus" }), listOutput);
    expect(asEmployee.canManage).toBe(false);
    expect(asEmployee.employees).toEqual([
      expect.objectContaining({
        id: report.id,
        name: "Linus Tester",
        title: "Engineer",
        managerName: "Grace Tester",
        email: report.email,
        details: null,
      }),
    ]);
    expect(JSON.stringify(asEmployee)).not.toContain(report.employeeNumber);
    const asAdmin = expectOk(await callAs(acmeAdmin, acme, "hr.list", { search: "linus" }), listOutput);
    expect(asAdmin.employees[0]?.details).toMatchObject({
      employeeNumber: report.employeeNumber,
      status: "active",
      startDate: "2026-01-05",
    });
    const one = expectOk(await callAs(acmeEmployee, acme, "hr.get", { employeeId: report.id }), getOutput);
    expect(one.managerChain).toEqual([{ id: boss.id, name: "Grace Tester", title: "CEO" }]);
    expect(one.details).toBeNull();
  });

  it("lets only owners and admins list by status", async () => {
    const res = await callAs(acmeEmployee, acme, "hr.list", { status: "terminated" });
    expect(res.status).toBe(403);
    expectOk(await callAs(acmeAdmin, acme, "hr.list", { status: "all" }), listOutput);
  });

  it("answers NOT_FOUND for another tenant's employee id, and the owner still reads it", async () => {
    const secret = await hire(acme, { givenName: "Hidden", title: "Spy" });
    const res = await callAs(globex.owner, globex, "hr.get", { employeeId: secret.id });
    expect(res.status).toBe(404);
    expect(res.error?.message).toBe("Employee not found");
    expect(JSON.stringify(res)).not.toContain("Hidden");
    expectOk(await callAs(acme.owner, acme, "hr.get", { employeeId: secret.id }), getOutput);
    const globexList = expectOk(await callAs(globex.owner, globex, "hr.list", {}), listOutput);
    expect(globexList.employees.map((e) => e.id)).not.toContain(secret.id);
  });
});

describe("hr router: CSV import and export", () => {
  it("refuses members who are not owners or admins, and writes nothing", async () => {
    const before = await written(acme);
    const importing = await callAs(acmeEmployee, acme, "hr.csvImport", {
      csv: `${HEADER}\nN1,Nope,Never,nope@acme.test,,,,2026-01-05\n`,
    });
    expect(importing.status).toBe(403);
    expect((await callAs(acmeEmployee, acme, "hr.csvExport")).status).toBe(403);
    expect(await written(acme)).toEqual(before);
  });

  it("lists every bad row and writes nothing; the corrected file imports", async () => {
    const tenant = await createTestTenant(db, "csv");
    const before = await written(tenant);
    const bad = [
      HEADER,
      "C1,Ada,Lovelace,ada@csv.test,CEO,Board,,2026-01-05",
      "C2,Bob,Builder,not-an-email,Engineer,R&D,ada@csv.test,2026-01-05",
      "C3,Cy,Coder,cy@csv.test,Engineer,R&D,nobody@csv.test,2026-02-30",
    ].join("\n");
    const refused = expectOk(
      await callAs(tenant.owner, tenant, "hr.csvImport", { csv: bad }),
      csvImportOutput,
    );
    expect(refused).toEqual({
      outcome: "refused",
      errors: [
        { row: 3, column: "email", message: expect.stringMatching(/email/i) as string },
        { row: 4, column: "start_date", message: expect.any(String) as string },
      ],
    });
    expect(await written(tenant)).toEqual(before);

    const good = bad
      .replace("not-an-email", "bob@csv.test")
      .replace("2026-02-30", "2026-02-02")
      .replace("nobody@csv.test", "ada@csv.test");
    const imported = expectOk(
      await callAs(tenant.owner, tenant, "hr.csvImport", { csv: good }),
      csvImportOutput,
    );
    expect(imported).toEqual({
      outcome: "imported",
      imported: { created: 3, updated: 0, unchanged: 0, terminated: 0, departmentsCreated: ["Board", "R&D"] },
    });
    const chart = expectOk(await callAs(tenant.owner, tenant, "hr.orgChart"), orgChartOutput);
    expect(chart.people).toBe(3);
    expect(chart.roots.map((r) => [r.name, r.reports.map((p) => p.name).sort()])).toEqual([
      ["Ada Lovelace", ["Bob Builder", "Cy Coder"]],
    ]);

    const exported = expectOk(await callAs(tenant.owner, tenant, "hr.csvExport"), csvExportOutput);
    expect(exported.filename).toMatch(new RegExp(`^employees-${tenant.slug}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    expect(exported.csv.split("\r\n")[0]).toMatch(/^employee_number,given_name,family_name,email,/);
    expect(exported.csv).toContain("C2,Bob,Builder,bob@csv.test,Engineer,R&D,ada@csv.test,2026-01-05");
    const again = expectOk(
      await callAs(tenant.owner, tenant, "hr.csvImport", { csv: exported.csv }),
      csvImportOutput,
    );
    expect(again).toMatchObject({ outcome: "imported", imported: { created: 0, updated: 0, unchanged: 3 } });
  });

  it("lets admins import as owners do, and matches rows within the caller's tenant only", async () => {
    const csv = `${HEADER}\nSAME-1,Ann,Admin,ann@acme-admin.test,,,,2026-01-05\n`;
    expectOk(await callAs(acmeAdmin, acme, "hr.csvImport", { csv }), csvImportOutput);
    const inGlobex = expectOk(
      await callAs(globex.owner, globex, "hr.csvImport", {
        csv: csv.replace("ann@acme-admin.test", "ann@globex.test"),
      }),
      csvImportOutput,
    );
    expect(inGlobex).toMatchObject({ outcome: "imported", imported: { created: 1, updated: 0 } });
  });
});

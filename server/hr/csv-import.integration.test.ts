import { beforeAll, describe, expect, it } from "vitest";
import { createTestTenant, testDb, type TestTenant } from "@/server/testing/fixtures";
import { listChecklists } from "./checklists";
import { exportEmployeesCsv, importEmployeesCsv } from "./csv-import";
import { listDepartments, listEmployees } from "./employees";
import { caught } from "./fixtures";

const HEADER =
  "employee_number,given_name,family_name,email,title,department,manager_email,start_date,status,location,time_zone";

let acme: TestTenant;

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
});

const people = (tenant: TestTenant) =>
  tenant.asOwner((ctx) => listEmployees(ctx, { includeTerminated: true }));

describe("CSV import", () => {
  it("lists every bad row with its column, and writes nothing", async () => {
    const tenant = await createTestTenant(testDb(), "bad");
    const csv = [
      HEADER,
      "E1,Ada,Lovelace,ada@bad.test,CEO,Board,,2026-01-05,active,London,Europe/London",
      "E2,Bob,,not-an-email,Engineer,R&D,nobody@bad.test,2026-13-01,active,Paris,Mars/Base",
      "E1,Cy,Twin,cy@bad.test,,,,2026-01-05,,,",
      "E4,Di,Short,di@bad.test",
      "E5,Ed,Loop,ed@bad.test,,,fay@bad.test,2026-01-05,,,",
      "E6,Fay,Loop,fay@bad.test,,,ed@bad.test,2026-01-05,,,",
      "E7,Gus,Gone,gus@bad.test,,,,2026-01-05,terminated,,",
    ].join("\n");
    const error = await caught(tenant.asOwner((ctx) => importEmployeesCsv(ctx, csv)));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(/^Nothing was imported: 6 rows have problems/);
    expect(error.fields).toMatchObject({
      "row 3: family_name": ["Give the family name"],
      "row 3: email": [expect.stringMatching(/email/i) as string],
      "row 3: start_date": [expect.any(String) as string],
      "row 3: time_zone": [expect.any(String) as string],
      "row 4: employee_number": ["Also on row 2"],
      "row 5": ["Expected 11 cells, found 4"],
      "row 6: manager_email": ["These reporting lines go round in a circle"],
      "row 7: manager_email": ["These reporting lines go round in a circle"],
      "row 8: end_date": ["A leaver needs an end_date"],
    });
    expect(await people(tenant)).toEqual([]);
    expect(await tenant.asOwner((ctx) => listDepartments(ctx))).toEqual([]);
  });

  it("refuses unknown and missing header columns", async () => {
    const error = await caught(
      acme.asOwner((ctx) => importEmployeesCsv(ctx, "employee_number,nickname\nE1,Al\n")),
    );
    expect(error.fields).toMatchObject({
      "row 1": [
        expect.stringMatching(/^Unknown column "nickname"; use employee_number, given_name/) as string,
      ],
      "row 1: given_name": ["This column is required"],
      "row 1: email": ["This column is required"],
    });
  });

  it("imports, resolving managers within the file and creating departments", async () => {
    const tenant = await createTestTenant(testDb(), "imp");
    const csv = [
      HEADER,
      // The report comes before their manager: managers are resolved over the whole file.
      "E2,Bob,Lee,bob@imp.test,Engineer,R&D,ada@imp.test,2026-02-02,active,Paris,Europe/Paris",
      "E1,Ada,Lovelace,ada@imp.test,CEO,Board,,2026-01-05,active,London,Europe/London",
      '"E3","Cy","O\'Neil, Jr","cy@imp.test","=cmd","R&D","bob@imp.test","2026-03-02","on_leave","",""',
    ].join("\r\n");
    const result = await tenant.asOwner((ctx) => importEmployeesCsv(ctx, csv));
    expect(result).toEqual({
      created: 3,
      updated: 0,
      unchanged: 0,
      terminated: 0,
      departmentsCreated: ["R&D", "Board"],
    });
    const byNumber = new Map((await people(tenant)).map((p) => [p.employeeNumber, p]));
    const [ada, bob, cy] = ["E1", "E2", "E3"].map((n) => byNumber.get(n));
    expect(bob?.managerId).toBe(ada?.id);
    expect(cy).toMatchObject({
      managerId: bob?.id,
      familyName: "O'Neil, Jr",
      title: "=cmd",
      status: "on_leave",
      timeZone: "UTC",
    });
    expect(await tenant.asOwner((ctx) => listChecklists(ctx, cy?.id ?? ""))).toHaveLength(1);
  });

  it("re-import upserts by employee_number: changes what differs, keeps columns left out, adds the new", async () => {
    const tenant = await createTestTenant(testDb(), "up");
    await tenant.asOwner((ctx) =>
      importEmployeesCsv(
        ctx,
        [
          HEADER,
          "E1,Ada,Lovelace,ada@up.test,CEO,Board,,2026-01-05,active,London,Europe/London",
          "E2,Bob,Lee,bob@up.test,Engineer,R&D,ada@up.test,2026-02-02,active,Paris,Europe/Paris",
        ].join("\n"),
      ),
    );
    const second = [
      "employee_number,given_name,family_name,email,title,start_date,manager_email",
      "E1,Ada,Lovelace,ada@up.test,CEO,2026-01-05,",
      "E2,Bob,Lee,bob@up.test,Staff Engineer,2026-02-02,ada@up.test",
      "E3,Cy,New,cy@up.test,Designer,2026-04-01,bob@up.test",
    ].join("\n");
    const result = await tenant.asOwner((ctx) => importEmployeesCsv(ctx, second));
    expect(result).toMatchObject({ created: 1, updated: 1, unchanged: 1 });
    const byNumber = new Map((await people(tenant)).map((p) => [p.employeeNumber, p]));
    expect(byNumber.get("E2")).toMatchObject({
      title: "Staff Engineer",
      department: "R&D",
      location: "Paris",
    });
    expect(byNumber.get("E3")?.managerId).toBe(byNumber.get("E2")?.id);
    expect(await people(tenant)).toHaveLength(3);
    // Swapping who reports to whom in one file works: the old line goes before the new one is drawn.
    const swap = await tenant.asOwner((ctx) =>
      importEmployeesCsv(
        ctx,
        [
          "employee_number,given_name,family_name,email,start_date,manager_email",
          "E1,Ada,Lovelace,ada@up.test,2026-01-05,bob@up.test",
          "E2,Bob,Lee,bob@up.test,2026-02-02,",
        ].join("\n"),
      ),
    );
    expect(swap).toMatchObject({ updated: 2 });
    const after = new Map((await people(tenant)).map((p) => [p.employeeNumber, p]));
    expect(after.get("E1")?.managerId).toBe(after.get("E2")?.id);
    expect(after.get("E2")?.managerId).toBeNull();
    // A leaver in the file is offboarded as in the app: status, last day, offboarding checklist.
    const leaving = await tenant.asOwner((ctx) =>
      importEmployeesCsv(
        ctx,
        [
          "employee_number,given_name,family_name,email,start_date,status,end_date",
          "E3,Cy,New,cy@up.test,2026-04-01,terminated,2026-09-30",
        ].join("\n"),
      ),
    );
    expect(leaving).toMatchObject({ terminated: 1, updated: 1 });
    const cy = (await people(tenant)).find((p) => p.employeeNumber === "E3");
    expect(cy).toMatchObject({ status: "terminated", endDate: "2026-09-30" });
    const lists = await tenant.asOwner((ctx) => listChecklists(ctx, cy?.id ?? ""));
    expect(lists.map((l) => l.kind).sort()).toEqual(["offboarding", "onboarding"]);
  });

  it("an email already used by another employee number is refused", async () => {
    const tenant = await createTestTenant(testDb(), "em");
    await tenant.asOwner((ctx) =>
      importEmployeesCsv(ctx, `${HEADER}\nE1,Ada,L,ada@em.test,,,,2026-01-05,,,`),
    );
    const error = await caught(
      tenant.asOwner((ctx) => importEmployeesCsv(ctx, `${HEADER}\nE9,Ada,L,ADA@em.test,,,,2026-01-05,,,`)),
    );
    expect(error.fields).toEqual({ "row 2: email": ["Already the email of employee E1"] });
  });
});

describe("CSV export", () => {
  it("quotes per RFC 4180, guards formulas, and re-imports to the same records", async () => {
    const tenant = await createTestTenant(testDb(), "exp");
    await tenant.asOwner((ctx) =>
      importEmployeesCsv(
        ctx,
        [
          `${HEADER},end_date`,
          "E1,Ada,Lovelace,ada@exp.test,CEO,Board,,2026-01-05,active,London,Europe/London,",
          'E2,Bob,"Lee, ""Bobby""",bob@exp.test,=SUM(A1),R&D,ada@exp.test,2026-02-02,active,Paris,Europe/Paris,',
          "E3,Cy,Gone,cy@exp.test,+1,R&D,ada@exp.test,2025-02-02,terminated,,UTC,2026-03-31",
        ].join("\n"),
      ),
    );
    const before = await people(tenant);
    const csv = await tenant.asOwner((ctx) => exportEmployeesCsv(ctx));
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(`${HEADER},end_date`);
    expect(lines[2]).toBe(
      `E2,Bob,"Lee, ""Bobby""",bob@exp.test,'=SUM(A1),R&D,ada@exp.test,2026-02-02,active,Paris,Europe/Paris,`,
    );
    expect(lines[3]).toBe(
      "E3,Cy,Gone,cy@exp.test,'+1,R&D,ada@exp.test,2025-02-02,terminated,,UTC,2026-03-31",
    );
    const again = await tenant.asOwner((ctx) => importEmployeesCsv(ctx, csv));
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(await people(tenant)).toEqual(before);
  });
});

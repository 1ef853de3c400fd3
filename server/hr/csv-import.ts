import { z } from "zod";
import { AppError, type FieldErrors } from "@/server/errors";
import { toCsv } from "@/server/finance/csv";
import { createChecklist } from "./checklists";
import { canonicalTimeZone } from "./schemas";
import { auditHr, isoDate, isTimeZone, refused, requireHrManager, sql, type HrContext } from "./common";
import {
  employeeNumberSchema,
  fullName,
  listDepartments,
  listEmployees,
  terminateEmployee,
  workEmailSchema,
  type EmployeeStatus,
  type EmployeeView,
} from "./employees";

/**
 * Employees in and out as CSV (RFC 4180). An import is all or nothing: every row is checked first and
 * every problem in the file is reported at once (row number, column, message), and only a file with
 * none is written, in the caller's one transaction. Rows are matched to existing employees by
 * employee_number, so importing a corrected file again updates rather than duplicates; columns left
 * out of the header are left as they are on existing records.
 */

export const CSV_COLUMNS = [
  "employee_number",
  "given_name",
  "family_name",
  "email",
  "title",
  "department",
  "manager_email",
  "start_date",
  "status",
  "location",
  "time_zone",
  "end_date",
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];
const REQUIRED: readonly CsvColumn[] = [
  "employee_number",
  "given_name",
  "family_name",
  "email",
  "start_date",
];

/** One problem in a file; `row` counts records as a spreadsheet shows them (the header is row 1). */
export type CsvProblem = { row: number; column: CsvColumn | null; message: string };

const MAX_ROWS = 10_000;

/**
 * Splits CSV text into records: fields separated by commas, records by CRLF or LF, a field in double
 * quotes may hold commas, line breaks and doubled quotes (RFC 4180 §2). A byte-order mark is ignored.
 * Returns the records, or the problem that stopped the reading.
 */
export function parseCsv(text: string): { records: string[][] } | { problem: CsvProblem } {
  const input = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let fieldStarted = false;
  let i = 0;
  const endField = () => {
    record.push(field);
    field = "";
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  while (i < input.length) {
    const c = input[i];
    if (quoted) {
      if (c === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = input[i];
        if (next !== undefined && next !== "," && next !== "\n" && next !== "\r")
          return {
            problem: { row: records.length + 1, column: null, message: "Text after a closing quote" },
          };
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && !fieldStarted && field === "") {
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (c === ",") {
      endField();
      i++;
    } else if (c === "\r" && input[i + 1] === "\n") {
      endRecord();
      i += 2;
    } else if (c === "\n" || c === "\r") {
      endRecord();
      i++;
    } else {
      field += c;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted)
    return { problem: { row: records.length + 1, column: null, message: "A quoted field is not closed" } };
  // The last record needs no line break after it (RFC 4180 §2.2).
  if (field !== "" || fieldStarted || record.length > 0) endRecord();
  return { records };
}

/** Undoes the export's guard against formula injection (server/finance/csv.ts): `'=x` reads as `=x`. */
const unguarded = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

type ImportRow = {
  row: number;
  employeeNumber: string;
  givenName: string;
  familyName: string;
  email: string;
  title?: string;
  department?: string | null;
  managerEmail?: string | null;
  startDate: string;
  status?: EmployeeStatus;
  endDate?: string | null;
  location?: string;
  timeZone?: string;
};

const text200 = z.string().max(200, "Use at most 200 characters");
const rowSchema = z
  .object({
    employee_number: employeeNumberSchema,
    given_name: z.string().trim().min(1, "Give the given name").max(100, "Use at most 100 characters"),
    family_name: z.string().trim().min(1, "Give the family name").max(100, "Use at most 100 characters"),
    email: workEmailSchema,
    title: text200.optional(),
    department: text200.optional(),
    manager_email: z.union([z.literal(""), workEmailSchema]).optional(),
    start_date: isoDate,
    status: z.enum(["", "active", "on_leave", "terminated"], "Use active, on_leave or terminated").optional(),
    location: text200.optional(),
    time_zone: z
      .string()
      .refine((zone) => zone === "" || isTimeZone(zone), "Use a time zone such as Europe/Paris or UTC")
      .optional(),
    end_date: z.union([z.literal(""), isoDate]).optional(),
  })
  .superRefine((r, issues) => {
    const terminated = r.status === "terminated";
    if (terminated && !r.end_date)
      issues.addIssue({ code: "custom", path: ["end_date"], message: "A leaver needs an end_date" });
    if (!terminated && r.end_date)
      issues.addIssue({
        code: "custom",
        path: ["end_date"],
        message: "Only a leaver (status terminated) has an end_date",
      });
    if (r.end_date && r.end_date < r.start_date)
      issues.addIssue({ code: "custom", path: ["end_date"], message: "End on or after the start date" });
  });

export type CsvCheck = {
  header: CsvColumn[];
  rows: ImportRow[];
  problems: CsvProblem[];
};

/** Reads and checks a file against the tenant's current employees; writes nothing. */
export async function checkEmployeesCsv(ctx: HrContext, csv: string): Promise<CsvCheck> {
  const read = parseCsv(csv);
  if ("problem" in read) return { header: [], rows: [], problems: [read.problem] };
  const [headerCells, ...records] = read.records;
  const problems: CsvProblem[] = [];
  if (!headerCells || headerCells.every((cell) => cell.trim() === ""))
    return {
      header: [],
      rows: [],
      problems: [{ row: 1, column: null, message: "The file is empty; start with a header row" }],
    };
  const header: CsvColumn[] = [];
  for (const cell of headerCells) {
    const name = cell.trim().toLowerCase();
    const column = CSV_COLUMNS.find((c) => c === name);
    if (!column)
      problems.push({
        row: 1,
        column: null,
        message: `Unknown column "${cell}"; use ${CSV_COLUMNS.join(", ")}`,
      });
    else if (header.includes(column)) problems.push({ row: 1, column, message: "This column appears twice" });
    else header.push(column);
  }
  for (const column of REQUIRED)
    if (!header.includes(column)) problems.push({ row: 1, column, message: "This column is required" });
  if (problems.length > 0) return { header, rows: [], problems };
  if (records.length > MAX_ROWS)
    return {
      header,
      rows: [],
      problems: [{ row: 1, column: null, message: `Import at most ${MAX_ROWS} rows at once` }],
    };

  const existing = await listEmployees(ctx, { includeTerminated: true });
  const byNumber = new Map(existing.map((e) => [e.employeeNumber, e]));
  const byEmail = new Map(existing.map((e) => [e.email.toLowerCase(), e]));

  const rows: ImportRow[] = [];
  const numbersSeen = new Map<string, number>();
  const emailsSeen = new Map<string, number>();
  records.forEach((cells, index) => {
    const row = index + 2;
    if (cells.every((cell) => cell.trim() === "")) return;
    if (cells.length !== headerCells.length) {
      problems.push({
        row,
        column: null,
        message: `Expected ${headerCells.length} cells, found ${cells.length}`,
      });
      return;
    }
    const values: Partial<Record<CsvColumn, string>> = {};
    header.forEach((column, i) => (values[column] = unguarded((cells[i] ?? "").trim())));
    const result = rowSchema.safeParse(values);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const column = CSV_COLUMNS.find((c) => c === issue.path[0]) ?? null;
        problems.push({ row, column, message: issue.message });
      }
      return;
    }
    const r = result.data;
    const email = r.email.toLowerCase();
    const firstWithNumber = numbersSeen.get(r.employee_number);
    if (firstWithNumber !== undefined)
      problems.push({ row, column: "employee_number", message: `Also on row ${firstWithNumber}` });
    else numbersSeen.set(r.employee_number, row);
    const firstWithEmail = emailsSeen.get(email);
    if (firstWithEmail !== undefined)
      problems.push({ row, column: "email", message: `Also on row ${firstWithEmail}` });
    else emailsSeen.set(email, row);
    const owner = byEmail.get(email);
    if (owner && owner.employeeNumber !== r.employee_number)
      problems.push({
        row,
        column: "email",
        message: `Already the email of employee ${owner.employeeNumber}`,
      });
    const current = byNumber.get(r.employee_number);
    const status = r.status === "" ? "active" : r.status;
    if (current?.status === "terminated" && status !== undefined && status !== "terminated")
      problems.push({
        row,
        column: "status",
        message: `${fullName(current)} has left; their record is closed`,
      });
    rows.push({
      row,
      employeeNumber: r.employee_number,
      givenName: r.given_name,
      familyName: r.family_name,
      email: r.email,
      title: r.title,
      department: r.department === undefined ? undefined : r.department || null,
      managerEmail: r.manager_email === undefined ? undefined : r.manager_email || null,
      startDate: r.start_date,
      status,
      endDate: r.end_date === undefined ? undefined : r.end_date || null,
      location: r.location,
      timeZone: r.time_zone === undefined ? undefined : r.time_zone ? canonicalTimeZone(r.time_zone) : "UTC",
    });
  });

  // Reporting lines as they will be after the import: the file's rows over the existing records.
  const inFile = new Map(rows.map((r) => [r.email.toLowerCase(), r]));
  const managerOf = new Map<string, string | null>();
  for (const e of existing) {
    const manager = e.managerId ? existing.find((m) => m.id === e.managerId) : undefined;
    managerOf.set(e.email.toLowerCase(), manager ? manager.email.toLowerCase() : null);
  }
  for (const r of rows) {
    const email = r.email.toLowerCase();
    const current = byNumber.get(r.employeeNumber);
    // Someone whose email changes in this file is known by the new one from now on.
    if (current && current.email.toLowerCase() !== email) managerOf.delete(current.email.toLowerCase());
    if (r.managerEmail === undefined) {
      const kept = current?.managerId ? existing.find((m) => m.id === current.managerId) : undefined;
      managerOf.set(email, kept ? kept.email.toLowerCase() : null);
      continue;
    }
    if (r.managerEmail === null) {
      managerOf.set(email, null);
      continue;
    }
    const managerEmail = r.managerEmail.toLowerCase();
    const manager = inFile.get(managerEmail) ?? byEmail.get(managerEmail);
    if (!manager) {
      problems.push({
        row: r.row,
        column: "manager_email",
        message: `No employee with email ${r.managerEmail}, in the file or in Tenet`,
      });
      continue;
    }
    if (managerEmail === email) {
      problems.push({ row: r.row, column: "manager_email", message: "Nobody is their own manager" });
      continue;
    }
    const managerRow = inFile.get(managerEmail);
    const managerStatus = managerRow ? managerRow.status : "status" in manager ? manager.status : undefined;
    if (managerStatus === "terminated")
      problems.push({ row: r.row, column: "manager_email", message: `${r.managerEmail} has left` });
    managerOf.set(email, managerEmail);
  }
  for (const r of rows) {
    const start = r.email.toLowerCase();
    const seen = new Set([start]);
    for (let at = managerOf.get(start); at; at = managerOf.get(at)) {
      if (seen.has(at)) {
        if (at === start)
          problems.push({
            row: r.row,
            column: "manager_email",
            message: "These reporting lines go round in a circle",
          });
        break;
      }
      seen.add(at);
    }
  }
  problems.sort((a, b) => a.row - b.row);
  return { header, rows, problems };
}

export type ImportResult = {
  created: number;
  updated: number;
  unchanged: number;
  terminated: number;
  departmentsCreated: string[];
};

/** A failed import's problems as an AppError: one field per row and column, every row listed. */
function importRefused(problems: readonly CsvProblem[]): AppError {
  const fields: FieldErrors = {};
  for (const p of problems) (fields[`row ${p.row}${p.column ? `: ${p.column}` : ""}`] ??= []).push(p.message);
  const rows = new Set(problems.map((p) => p.row));
  const summary = problems
    .map((p) => `row ${p.row}${p.column ? `, ${p.column}` : ""}: ${p.message}`)
    .join("; ");
  return new AppError(
    "BAD_REQUEST",
    `Nothing was imported: ${rows.size} ${rows.size === 1 ? "row has" : "rows have"} problems. ${summary}`,
    { fields },
  );
}

/**
 * Imports employees from CSV: departments are created as needed, managers are found in the file or
 * among existing employees, new people get their onboarding checklist, and people whose status turns
 * to terminated are offboarded. Any problem anywhere in the file and nothing is written.
 */
export async function importEmployeesCsv(ctx: HrContext, csv: string): Promise<ImportResult> {
  requireHrManager(ctx);
  const check = await checkEmployeesCsv(ctx, csv);
  if (check.problems.length > 0) throw importRefused(check.problems);
  const has = (column: CsvColumn) => check.header.includes(column);

  const departments = new Map((await listDepartments(ctx)).map((d) => [d.name.toLowerCase(), d.id]));
  const departmentsCreated: string[] = [];
  for (const r of check.rows) {
    if (!r.department || departments.has(r.department.toLowerCase())) continue;
    const [row] = await refused(() =>
      sql(ctx).query<{ id: string }>(
        `INSERT INTO hr.department (tenant_id, name) VALUES ($1::uuid, $2) RETURNING id::text`,
        [ctx.tenantId, r.department],
      ),
    );
    if (!row) throw new Error("hr: inserting a department returned no row");
    departments.set(r.department.toLowerCase(), row.id);
    departmentsCreated.push(r.department);
  }

  const everyone = await listEmployees(ctx, { includeTerminated: true });
  const existing = new Map(everyone.map((e) => [e.employeeNumber, e]));
  const emailById = new Map(everyone.map((e) => [e.id, e.email.toLowerCase()]));
  const idOf = new Map<string, string>();
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  const leavers: { id: string; endDate: string }[] = [];
  for (const r of check.rows) {
    const current = existing.get(r.employeeNumber);
    const departmentId = r.department ? (departments.get(r.department.toLowerCase()) ?? null) : null;
    if (!current) {
      const status = r.status ?? "active";
      const [row] = await refused(() =>
        sql(ctx).query<{ id: string }>(
          `INSERT INTO hr.employee (tenant_id, user_id, employee_number, given_name, family_name, work_email, title,
                                    department_id, status, start_date, end_date, location, time_zone)
           VALUES ($1::uuid,
                   (SELECT u.id FROM "Membership" m JOIN "User" u ON u.id = m."userId"
                     WHERE m."tenantId" = $1::uuid AND lower(u.email) = lower($5)
                       AND NOT EXISTS (SELECT 1 FROM hr.employee x WHERE x.tenant_id = $1::uuid AND x.user_id = u.id)),
                   $2, $3, $4, $5, $6, $7::uuid, $8::hr.employee_status, $9::date, $10::date, $11, $12)
           RETURNING id::text`,
          [
            ctx.tenantId,
            r.employeeNumber,
            r.givenName,
            r.familyName,
            r.email,
            r.title ?? "",
            departmentId,
            status,
            r.startDate,
            status === "terminated" ? (r.endDate ?? null) : null,
            r.location ?? "",
            r.timeZone ?? "UTC",
          ],
        ),
      );
      if (!row) throw new Error("hr: inserting an employee returned no row");
      idOf.set(r.email.toLowerCase(), row.id);
      if (status !== "terminated") await createChecklist(ctx, row.id, "onboarding", r.startDate);
      created++;
      continue;
    }
    idOf.set(r.email.toLowerCase(), current.id);
    const next = {
      givenName: r.givenName,
      familyName: r.familyName,
      email: r.email,
      title: has("title") ? (r.title ?? "") : current.title,
      departmentId: has("department") ? departmentId : current.departmentId,
      startDate: r.startDate,
      location: has("location") ? (r.location ?? "") : current.location,
      timeZone: has("time_zone") ? (r.timeZone ?? "UTC") : current.timeZone,
      // A leaver is offboarded below, through the same path as in the app.
      status: r.status === undefined || r.status === "terminated" ? current.status : r.status,
      endDate: current.status === "terminated" && r.endDate ? r.endDate : current.endDate,
    };
    if (r.status === "terminated" && current.status !== "terminated")
      leavers.push({ id: current.id, endDate: r.endDate ?? r.startDate });
    const managerEmail = current.managerId ? (emailById.get(current.managerId) ?? null) : null;
    const managerMoves = has("manager_email") && managerEmail !== (r.managerEmail?.toLowerCase() ?? null);
    const fieldsChange = rowChanged(r, current, has, departments);
    if (fieldsChange || managerMoves) updated++;
    else unchanged++;
    if (!fieldsChange) continue;
    await refused(() =>
      sql(ctx).query(
        `UPDATE hr.employee SET given_name = $3, family_name = $4, work_email = $5, title = $6,
                department_id = $7::uuid, start_date = $8::date, location = $9, time_zone = $10,
                status = $11::hr.employee_status, end_date = $12::date, updated_at = now()
          WHERE tenant_id = $1::uuid AND id = $2::uuid`,
        [
          ctx.tenantId,
          current.id,
          next.givenName,
          next.familyName,
          next.email,
          next.title,
          next.departmentId,
          next.startDate,
          next.location,
          next.timeZone,
          next.status,
          next.endDate,
        ],
      ),
    );
  }

  // Reporting lines in two steps: first clear every line that changes, then draw the new ones. Each
  // intermediate state is then part of the final, acyclic one, so the database's cycle check (which
  // sees one row at a time) never trips on a line that is about to go.
  if (has("manager_email")) {
    const emailToId = new Map(
      (await listEmployees(ctx, { includeTerminated: true })).map((e) => [e.email.toLowerCase(), e.id]),
    );
    const moves: { id: string; managerId: string | null; current: string | null }[] = [];
    for (const r of check.rows) {
      const id = idOf.get(r.email.toLowerCase());
      if (!id) continue;
      const managerId = r.managerEmail ? (emailToId.get(r.managerEmail.toLowerCase()) ?? null) : null;
      const current = existing.get(r.employeeNumber)?.managerId ?? null;
      if (managerId !== current) moves.push({ id, managerId, current });
    }
    for (const move of moves)
      if (move.current !== null)
        await sql(ctx).query(
          `UPDATE hr.employee SET manager_id = NULL WHERE tenant_id = $1::uuid AND id = $2::uuid`,
          [ctx.tenantId, move.id],
        );
    for (const move of moves)
      if (move.managerId !== null)
        await refused(() =>
          sql(ctx).query(
            `UPDATE hr.employee SET manager_id = $3::uuid, updated_at = now() WHERE tenant_id = $1::uuid AND id = $2::uuid`,
            [ctx.tenantId, move.id, move.managerId],
          ),
        );
  }

  for (const leaver of leavers)
    await terminateEmployee(ctx, { employeeId: leaver.id, endDate: leaver.endDate, reason: "Imported" });

  const result = {
    created,
    updated,
    unchanged,
    terminated: leavers.length,
    departmentsCreated,
  };
  await auditHr(
    ctx,
    "hr.employees_imported",
    { type: "employee", id: ctx.tenantId, label: "Employees" },
    result,
  );
  return result;
}

/** Whether a row changes anything besides the manager (what the first pass counted). */
function rowChanged(
  r: ImportRow,
  current: EmployeeView,
  has: (column: CsvColumn) => boolean,
  departments: ReadonlyMap<string, string>,
): boolean {
  const departmentId = r.department ? (departments.get(r.department.toLowerCase()) ?? null) : null;
  return (
    r.givenName !== current.givenName ||
    r.familyName !== current.familyName ||
    r.email !== current.email ||
    r.startDate !== current.startDate ||
    (has("title") && (r.title ?? "") !== current.title) ||
    (has("department") && departmentId !== current.departmentId) ||
    (has("location") && (r.location ?? "") !== current.location) ||
    (has("time_zone") && (r.timeZone ?? "UTC") !== current.timeZone) ||
    (r.status !== undefined && r.status !== current.status) ||
    (current.status === "terminated" &&
      r.endDate !== undefined &&
      r.endDate !== null &&
      r.endDate !== current.endDate)
  );
}

/** Every employee, leavers included, as CSV in CSV_COLUMNS' order; importing it again changes nothing. */
export async function exportEmployeesCsv(ctx: HrContext): Promise<string> {
  requireHrManager(ctx);
  const people = await listEmployees(ctx, { includeTerminated: true });
  const emailOf = new Map(people.map((p) => [p.id, p.email]));
  people.sort((a, b) => a.employeeNumber.localeCompare(b.employeeNumber));
  const cells = (p: EmployeeView): Record<CsvColumn, string> => ({
    employee_number: p.employeeNumber,
    given_name: p.givenName,
    family_name: p.familyName,
    email: p.email,
    title: p.title,
    department: p.department ?? "",
    manager_email: p.managerId ? (emailOf.get(p.managerId) ?? "") : "",
    start_date: p.startDate,
    status: p.status,
    location: p.location,
    time_zone: p.timeZone,
    end_date: p.endDate ?? "",
  });
  await auditHr(
    ctx,
    "hr.employees_exported",
    { type: "employee", id: ctx.tenantId, label: "Employees" },
    {
      count: people.length,
    },
  );
  return toCsv([CSV_COLUMNS, ...people.map((p) => CSV_COLUMNS.map((column) => cells(p)[column]))]);
}

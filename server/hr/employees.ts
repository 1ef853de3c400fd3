import { z } from "zod";
import { AppError, checkedId, notFound, parsed } from "@/server/errors";
import type { JsonValue } from "@/server/kernel/audit/canonical-json";
import { checklistPlan, createChecklist, type ChecklistItemPlan, type ChecklistView } from "./checklists";
import { auditHr, badField, refused, requireHrManager, sql, type HrContext } from "./common";
import {
  createEmployeeInput,
  employeeChangesSchema,
  terminateEmployeeInput,
  updateEmployeeInput,
  type CreateEmployeeInput,
  type EmployeeChanges,
  type EmployeeField,
  type TerminateEmployeeInput,
  type UpdateEmployeeInput,
} from "./schemas";

export {
  createEmployeeInput,
  employeeChangesSchema,
  employeeNumberSchema,
  terminateEmployeeInput,
  updateEmployeeInput,
  workEmailSchema,
  type CreateEmployeeInput,
  type EmployeeChanges,
  type EmployeeField,
  type TerminateEmployeeInput,
  type UpdateEmployeeInput,
} from "./schemas";

/**
 * Employees, departments and reporting lines. Writes are for owners and admins (or the kernel on an
 * agent's behalf); anyone in the tenant reads the directory and the org chart.
 */

export type EmployeeStatus = "active" | "on_leave" | "terminated";

export type EmployeeView = {
  id: string;
  userId: string | null;
  employeeNumber: string;
  givenName: string;
  familyName: string;
  email: string;
  title: string;
  departmentId: string | null;
  department: string | null;
  managerId: string | null;
  status: EmployeeStatus;
  startDate: string;
  endDate: string | null;
  location: string;
  timeZone: string;
};

type EmployeeRow = {
  id: string;
  user_id: string | null;
  employee_number: string;
  given_name: string;
  family_name: string;
  work_email: string;
  title: string;
  department_id: string | null;
  department: string | null;
  manager_id: string | null;
  status: EmployeeStatus;
  start_date: string;
  end_date: string | null;
  location: string;
  time_zone: string;
};

/** Every employee column as text, with the department's name; `e` is hr.employee. */
export const EMPLOYEE_SELECT = `SELECT e.id::text, e.user_id::text, e.employee_number, e.given_name, e.family_name,
       e.work_email, e.title, e.department_id::text, d.name AS department, e.manager_id::text,
       e.status::text, e.start_date::text, e.end_date::text, e.location, e.time_zone
  FROM hr.employee e
  LEFT JOIN hr.department d ON d.tenant_id = e.tenant_id AND d.id = e.department_id`;

export const employeeView = (row: EmployeeRow): EmployeeView => ({
  id: row.id,
  userId: row.user_id,
  employeeNumber: row.employee_number,
  givenName: row.given_name,
  familyName: row.family_name,
  email: row.work_email,
  title: row.title,
  departmentId: row.department_id,
  department: row.department,
  managerId: row.manager_id,
  status: row.status,
  startDate: row.start_date,
  endDate: row.end_date,
  location: row.location,
  timeZone: row.time_zone,
});

export const fullName = (e: { givenName: string; familyName: string }) => `${e.givenName} ${e.familyName}`;

export async function findEmployee(ctx: HrContext, id: string, lock = false): Promise<EmployeeView | null> {
  if (!z.uuid().safeParse(id).success) return null;
  const [row] = await sql(ctx).query<EmployeeRow>(
    // NO KEY UPDATE: it still lets others' foreign-key checks take KEY SHARE on this row, so two
    // people made each other's manager at once end in the cycle check's refusal, not a deadlock.
    `${EMPLOYEE_SELECT} WHERE e.tenant_id = $1::uuid AND e.id = $2::uuid${lock ? " FOR NO KEY UPDATE OF e" : ""}`,
    [ctx.tenantId, id],
  );
  return row ? employeeView(row) : null;
}

export async function getEmployee(ctx: HrContext, id: string, lock = false): Promise<EmployeeView> {
  checkedId(id, "Employee");
  const employee = await findEmployee(ctx, id, lock);
  if (!employee) throw notFound("Employee not found");
  return employee;
}

export async function findEmployeeByEmail(ctx: HrContext, email: string): Promise<EmployeeView | null> {
  const [row] = await sql(ctx).query<EmployeeRow>(
    `${EMPLOYEE_SELECT} WHERE e.tenant_id = $1::uuid AND lower(e.work_email) = lower($2)`,
    [ctx.tenantId, email],
  );
  return row ? employeeView(row) : null;
}

export async function listEmployees(
  ctx: HrContext,
  options: { includeTerminated?: boolean } = {},
): Promise<EmployeeView[]> {
  const rows = await sql(ctx).query<EmployeeRow>(
    `${EMPLOYEE_SELECT} WHERE e.tenant_id = $1::uuid AND ($2::boolean OR e.status <> 'terminated')
      ORDER BY e.family_name, e.given_name, e.employee_number`,
    [ctx.tenantId, options.includeTerminated ?? false],
  );
  return rows.map(employeeView);
}

async function checkDepartment(ctx: HrContext, id: string | null | undefined, field = "departmentId") {
  if (!id) return null;
  const [row] = await sql(ctx).query<{ name: string }>(
    `SELECT name FROM hr.department WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [ctx.tenantId, id],
  );
  if (!row) throw badField(field, "No such department");
  return row.name;
}

async function checkManager(ctx: HrContext, id: string | null | undefined, employeeId: string | null) {
  if (!id) return null;
  const manager = await findEmployee(ctx, id);
  if (!manager) throw badField("managerId", "No such employee");
  if (manager.status === "terminated") throw badField("managerId", `${fullName(manager)} has left`);
  if (employeeId !== null) {
    // The database refuses cycles too (HR001); checked here first for a message naming the chain.
    const chain = await managerChain(ctx, id);
    if (id === employeeId || chain.some((m) => m.id === employeeId))
      throw badField("managerId", "An employee cannot report to themselves, directly or through others");
  }
  return manager;
}

async function checkUser(ctx: HrContext, userId: string | null | undefined) {
  if (!userId) return;
  const [row] = await sql(ctx).query<{ ok: boolean }>(
    `SELECT true AS ok FROM "Membership" WHERE "tenantId" = $1::uuid AND "userId" = $2::uuid`,
    [ctx.tenantId, userId],
  );
  if (!row) throw badField("userId", "That person is not a member of this tenant");
}

/** The member whose account email is `email`, when one is and no employee record claims them yet. */
async function memberWithEmail(ctx: HrContext, email: string): Promise<string | null> {
  const [row] = await sql(ctx).query<{ id: string }>(
    `SELECT u.id::text FROM "Membership" m JOIN "User" u ON u.id = m."userId"
      WHERE m."tenantId" = $1::uuid AND lower(u.email) = lower($2)
        AND NOT EXISTS (SELECT 1 FROM hr.employee e WHERE e.tenant_id = m."tenantId" AND e.user_id = u.id)`,
    [ctx.tenantId, email],
  );
  return row?.id ?? null;
}

export type CreateEmployeePlan = {
  input: z.output<typeof createEmployeeInput>;
  userId: string | null;
  department: string | null;
  manager: EmployeeView | null;
  onboarding: ChecklistItemPlan[];
};

/** Everything createEmployee checks, without writing: what a dry run shows. */
export async function planCreateEmployee(
  ctx: HrContext,
  raw: CreateEmployeeInput,
): Promise<CreateEmployeePlan> {
  requireHrManager(ctx);
  const input = parsed(createEmployeeInput, raw);
  const department = await checkDepartment(ctx, input.departmentId);
  const manager = await checkManager(ctx, input.managerId, null);
  await checkUser(ctx, input.userId);
  const [taken] = await sql(ctx).query<{ number_taken: boolean; email_taken: boolean; user_taken: boolean }>(
    `SELECT bool_or(employee_number = $2) AS number_taken, bool_or(lower(work_email) = lower($3)) AS email_taken,
            coalesce(bool_or(user_id = $4::uuid), false) AS user_taken
       FROM hr.employee WHERE tenant_id = $1::uuid`,
    [ctx.tenantId, input.employeeNumber, input.email, input.userId ?? null],
  );
  if (taken?.number_taken)
    throw new AppError("CONFLICT", `There is already an employee number ${input.employeeNumber}`);
  if (taken?.email_taken) throw new AppError("CONFLICT", `Another employee already has ${input.email}`);
  if (taken?.user_taken)
    throw new AppError("CONFLICT", "This account already belongs to another employee record");
  const userId = input.userId ?? (await memberWithEmail(ctx, input.email));
  return { input, userId, department, manager, onboarding: checklistPlan("onboarding", input.startDate) };
}

/** Creates the record and its onboarding checklist. */
export async function createEmployee(
  ctx: HrContext,
  raw: CreateEmployeeInput,
): Promise<{ employee: EmployeeView; onboarding: ChecklistView }> {
  const { input, userId } = await planCreateEmployee(ctx, raw);
  const [row] = await refused(() =>
    sql(ctx).query<{ id: string }>(
      `INSERT INTO hr.employee (tenant_id, user_id, employee_number, given_name, family_name, work_email, title,
                                department_id, manager_id, status, start_date, location, time_zone)
       VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8::uuid, $9::uuid, $10::hr.employee_status, $11::date, $12, $13)
       RETURNING id::text`,
      [
        ctx.tenantId,
        userId,
        input.employeeNumber,
        input.givenName,
        input.familyName,
        input.email,
        input.title,
        input.departmentId ?? null,
        input.managerId ?? null,
        input.status,
        input.startDate,
        input.location,
        input.timeZone,
      ],
    ),
  );
  if (!row) throw new Error("hr: inserting an employee returned no row");
  const onboarding = await createChecklist(ctx, row.id, "onboarding", input.startDate);
  const employee = await getEmployee(ctx, row.id);
  await auditHr(
    ctx,
    "hr.employee_created",
    { type: "employee", id: employee.id, label: fullName(employee) },
    { employeeNumber: employee.employeeNumber, email: employee.email, startDate: employee.startDate },
  );
  return { employee, onboarding };
}

/** How each changeable field reads on a view, for diffs. */
const CURRENT: { [F in EmployeeField]-?: (e: EmployeeView) => EmployeeChanges[F] } = {
  givenName: (e) => e.givenName,
  familyName: (e) => e.familyName,
  email: (e) => e.email,
  title: (e) => e.title,
  departmentId: (e) => e.departmentId,
  managerId: (e) => e.managerId,
  userId: (e) => e.userId,
  status: (e) => (e.status === "terminated" ? undefined : e.status),
  startDate: (e) => e.startDate,
  location: (e) => e.location,
  timeZone: (e) => e.timeZone,
};

const COLUMN: Record<EmployeeField, string> = {
  givenName: "given_name",
  familyName: "family_name",
  email: "work_email",
  title: "title",
  departmentId: "department_id",
  managerId: "manager_id",
  userId: "user_id",
  status: "status",
  startDate: "start_date",
  location: "location",
  timeZone: "time_zone",
};

const CAST: Partial<Record<EmployeeField, string>> = {
  departmentId: "::uuid",
  managerId: "::uuid",
  userId: "::uuid",
  status: "::hr.employee_status",
  startDate: "::date",
};

export type FieldChange = { from: JsonValue; to: JsonValue };

export type UpdateEmployeePlan = {
  before: EmployeeView;
  /** Only the fields whose value changes. */
  changes: EmployeeChanges;
  diff: Partial<Record<EmployeeField, FieldChange>>;
  /** The changed fields' values before the update: what undoes it. */
  previous: EmployeeChanges;
};

/**
 * Everything updateEmployee checks, and what would change. `lock` (for the write) holds the record
 * until the transaction ends; a dry run leaves it off, as it runs in a READ ONLY transaction.
 */
export async function planUpdateEmployee(
  ctx: HrContext,
  raw: UpdateEmployeeInput,
  lock = false,
): Promise<UpdateEmployeePlan> {
  requireHrManager(ctx);
  const { employeeId, changes: requested } = parsed(updateEmployeeInput, raw);
  const before = await getEmployee(ctx, employeeId, lock);
  if (before.status === "terminated")
    throw new AppError("CONFLICT", `${fullName(before)} has left; their record is closed`);
  const changes: Record<string, unknown> = {};
  const previous: Record<string, unknown> = {};
  const diff: Partial<Record<EmployeeField, FieldChange>> = {};
  for (const field of Object.keys(requested) as EmployeeField[]) {
    const to = requested[field];
    const from = CURRENT[field](before);
    if (to === undefined || to === from) continue;
    changes[field] = to;
    previous[field] = from ?? null;
    diff[field] = { from: from ?? null, to };
  }
  const typed = parsed(employeeChangesSchema, changes);
  if ("departmentId" in typed) await checkDepartment(ctx, typed.departmentId);
  if ("managerId" in typed) await checkManager(ctx, typed.managerId, employeeId);
  if ("userId" in typed) await checkUser(ctx, typed.userId);
  if (typed.email !== undefined || typed.userId) {
    const [taken] = await sql(ctx).query<{ email_taken: boolean; user_taken: boolean }>(
      `SELECT coalesce(bool_or(lower(work_email) = lower($3)), false) AS email_taken,
              coalesce(bool_or(user_id = $4::uuid), false) AS user_taken
         FROM hr.employee WHERE tenant_id = $1::uuid AND id <> $2::uuid`,
      [ctx.tenantId, employeeId, typed.email ?? "", typed.userId ?? null],
    );
    if (taken?.email_taken) throw new AppError("CONFLICT", `Another employee already has ${typed.email}`);
    if (taken?.user_taken)
      throw new AppError("CONFLICT", "This account already belongs to another employee record");
  }
  if (typed.startDate && before.endDate && typed.startDate > before.endDate)
    throw badField("startDate", "Start on or before the last day");
  return { before, changes: typed, diff, previous: parsed(employeeChangesSchema, previous) };
}

/** Changes the given fields; returns the record after, and the changed fields' values before. */
export async function updateEmployee(
  ctx: HrContext,
  raw: UpdateEmployeeInput,
): Promise<{ employee: EmployeeView; previous: EmployeeChanges }> {
  const plan = await planUpdateEmployee(ctx, raw, true);
  const fields = Object.keys(plan.changes) as EmployeeField[];
  if (fields.length > 0) {
    const sets = fields.map((field, i) => `${COLUMN[field]} = $${i + 3}${CAST[field] ?? ""}`);
    await refused(() =>
      sql(ctx).query(
        `UPDATE hr.employee SET ${sets.join(", ")}, updated_at = now() WHERE tenant_id = $1::uuid AND id = $2::uuid`,
        [ctx.tenantId, plan.before.id, ...fields.map((field) => plan.changes[field] ?? null)],
      ),
    );
    await auditHr(
      ctx,
      "hr.employee_updated",
      { type: "employee", id: plan.before.id, label: fullName(plan.before) },
      { changes: plan.diff },
    );
  }
  return { employee: await getEmployee(ctx, plan.before.id), previous: plan.previous };
}

export type TerminatePlan = {
  before: EmployeeView;
  endDate: string;
  reason: string;
  offboarding: ChecklistItemPlan[];
  /** People who report to the leaver: they keep this manager until someone reassigns them. */
  directReports: EmployeeView[];
  /** Requested or approved time off after the last day: cancelled with the termination. */
  timeOffAfterEnd: number;
};

/** Everything terminateEmployee checks, and what it would do; `lock` as in planUpdateEmployee. */
export async function planTerminateEmployee(
  ctx: HrContext,
  raw: TerminateEmployeeInput,
  lock = false,
): Promise<TerminatePlan> {
  requireHrManager(ctx);
  const input = parsed(terminateEmployeeInput, raw);
  const before = await getEmployee(ctx, input.employeeId, lock);
  if (before.status === "terminated") throw new AppError("CONFLICT", `${fullName(before)} has already left`);
  if (input.endDate < before.startDate)
    throw badField("endDate", `End on or after the start date, ${before.startDate}`);
  const directReports = await reportsOf(ctx, before.id);
  const [later] = await sql(ctx).query<{ count: number }>(
    `SELECT count(*)::int AS count FROM hr.time_off_request
      WHERE tenant_id = $1::uuid AND employee_id = $2::uuid AND status IN ('requested', 'approved')
        AND start_date > $3::date`,
    [ctx.tenantId, before.id, input.endDate],
  );
  return {
    before,
    endDate: input.endDate,
    reason: input.reason,
    offboarding: checklistPlan("offboarding", input.endDate),
    directReports,
    timeOffAfterEnd: later?.count ?? 0,
  };
}

/**
 * Marks the employee as having left on `endDate`, cancels their time off after that day (giving the
 * days back), and opens the offboarding checklist. The record itself is kept.
 */
export async function terminateEmployee(
  ctx: HrContext,
  raw: TerminateEmployeeInput,
): Promise<{ employee: EmployeeView; offboarding: ChecklistView; cancelledTimeOff: number }> {
  const plan = await planTerminateEmployee(ctx, raw, true);
  const cancelled = await sql(ctx).query<{ id: string }>(
    `WITH old AS (
       SELECT id, status FROM hr.time_off_request
        WHERE tenant_id = $1::uuid AND employee_id = $2::uuid AND status IN ('requested', 'approved')
          AND start_date > $3::date
        FOR UPDATE
     ), gone AS (
       UPDATE hr.time_off_request r SET status = 'cancelled'
         FROM old WHERE r.tenant_id = $1::uuid AND r.id = old.id
       RETURNING r.id, r.policy_id, extract(year FROM r.start_date)::int AS year,
                 CASE WHEN old.status = 'requested' THEN r.half_days ELSE 0 END AS pending,
                 CASE WHEN old.status = 'approved' THEN r.half_days ELSE 0 END AS used
     ), back AS (
       UPDATE hr.time_off_balance b SET pending_half_days = b.pending_half_days - g.pending,
                                        used_half_days = b.used_half_days - g.used
         FROM (SELECT policy_id, year, sum(pending)::int AS pending, sum(used)::int AS used FROM gone
                GROUP BY policy_id, year) g
        WHERE b.tenant_id = $1::uuid AND b.employee_id = $2::uuid AND b.policy_id = g.policy_id AND b.year = g.year
     )
     SELECT id::text FROM gone`,
    [ctx.tenantId, plan.before.id, plan.endDate],
  );
  await sql(ctx).query(
    `UPDATE hr.employee SET status = 'terminated', end_date = $3::date, updated_at = now()
      WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [ctx.tenantId, plan.before.id, plan.endDate],
  );
  const offboarding = await createChecklist(ctx, plan.before.id, "offboarding", plan.endDate);
  await auditHr(
    ctx,
    "hr.employee_terminated",
    { type: "employee", id: plan.before.id, label: fullName(plan.before) },
    { endDate: plan.endDate, reason: plan.reason, cancelledTimeOff: cancelled.length },
  );
  return {
    employee: await getEmployee(ctx, plan.before.id),
    offboarding,
    cancelledTimeOff: cancelled.length,
  };
}

export type DepartmentView = {
  id: string;
  name: string;
  parentId: string | null;
  headEmployeeId: string | null;
};

export const createDepartmentInput = z.object({
  name: z
    .string("Name the department")
    .trim()
    .min(1, "Name the department")
    .max(200, "Use at most 200 characters"),
  parentId: z.uuid("Choose a parent department").nullish(),
  headEmployeeId: z.uuid("Choose an employee").nullish(),
});

export async function createDepartment(
  ctx: HrContext,
  raw: z.input<typeof createDepartmentInput>,
): Promise<DepartmentView> {
  requireHrManager(ctx);
  const input = parsed(createDepartmentInput, raw);
  await checkDepartment(ctx, input.parentId, "parentId");
  if (input.headEmployeeId && !(await findEmployee(ctx, input.headEmployeeId)))
    throw badField("headEmployeeId", "No such employee");
  const [taken] = await sql(ctx).query<{ id: string }>(
    `SELECT id::text FROM hr.department WHERE tenant_id = $1::uuid AND lower(name) = lower($2)`,
    [ctx.tenantId, input.name],
  );
  if (taken) throw new AppError("CONFLICT", `There is already a department ${input.name}`);
  const [row] = await refused(() =>
    sql(ctx).query<{ id: string }>(
      `INSERT INTO hr.department (tenant_id, name, parent_id, head_employee_id)
       VALUES ($1::uuid, $2, $3::uuid, $4::uuid) RETURNING id::text`,
      [ctx.tenantId, input.name, input.parentId ?? null, input.headEmployeeId ?? null],
    ),
  );
  if (!row) throw new Error("hr: inserting a department returned no row");
  await auditHr(ctx, "hr.department_created", { type: "department", id: row.id, label: input.name }, {});
  return {
    id: row.id,
    name: input.name,
    parentId: input.parentId ?? null,
    headEmployeeId: input.headEmployeeId ?? null,
  };
}

export async function listDepartments(ctx: HrContext): Promise<DepartmentView[]> {
  const rows = await sql(ctx).query<{
    id: string;
    name: string;
    parent_id: string | null;
    head: string | null;
  }>(
    `SELECT id::text, name, parent_id::text, head_employee_id::text AS head FROM hr.department
      WHERE tenant_id = $1::uuid ORDER BY lower(name)`,
    [ctx.tenantId],
  );
  return rows.map((r) => ({ id: r.id, name: r.name, parentId: r.parent_id, headEmployeeId: r.head }));
}

export type OrgNode = EmployeeView & { reports: OrgNode[] };

/** The org chart from the top: people without a manager, each with their reports; leavers left out. */
export async function orgChart(ctx: HrContext): Promise<OrgNode[]> {
  const people = await listEmployees(ctx);
  const nodes = new Map(people.map((p): [string, OrgNode] => [p.id, { ...p, reports: [] }]));
  const roots: OrgNode[] = [];
  for (const node of nodes.values()) {
    const manager = node.managerId ? nodes.get(node.managerId) : undefined;
    // Someone whose manager has left shows at the top until they are reassigned.
    if (manager) manager.reports.push(node);
    else roots.push(node);
  }
  return roots;
}

/** The people who report directly to `managerId` and have not left. */
export async function reportsOf(ctx: HrContext, managerId: string): Promise<EmployeeView[]> {
  checkedId(managerId, "Employee");
  const rows = await sql(ctx).query<EmployeeRow>(
    `${EMPLOYEE_SELECT} WHERE e.tenant_id = $1::uuid AND e.manager_id = $2::uuid AND e.status <> 'terminated'
      ORDER BY e.family_name, e.given_name`,
    [ctx.tenantId, managerId],
  );
  return rows.map(employeeView);
}

/** The employee's manager, their manager, and so on up to the top, nearest first. */
export async function managerChain(ctx: HrContext, employeeId: string): Promise<EmployeeView[]> {
  checkedId(employeeId, "Employee");
  const rows = await sql(ctx).query<EmployeeRow & { depth: number }>(
    `WITH RECURSIVE chain(id, depth) AS (
       SELECT manager_id, 1 FROM hr.employee WHERE tenant_id = $1::uuid AND id = $2::uuid AND manager_id IS NOT NULL
       UNION ALL
       SELECT m.manager_id, c.depth + 1 FROM chain c JOIN hr.employee m ON m.tenant_id = $1::uuid AND m.id = c.id
        WHERE m.manager_id IS NOT NULL AND c.depth < 10000
     )
     ${EMPLOYEE_SELECT.replace("SELECT", "SELECT c.depth,")}
       JOIN chain c ON c.id = e.id
      WHERE e.tenant_id = $1::uuid
      ORDER BY c.depth`,
    [ctx.tenantId, employeeId],
  );
  return rows.map(employeeView);
}

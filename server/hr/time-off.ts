import { z } from "zod";
import { AppError, checkedId, notFound, parsed } from "@/server/errors";
import {
  auditHr,
  badField,
  daysOf,
  halfDayAmount,
  halfDaysOf,
  isHrManager,
  refused,
  requireHrManager,
  sql,
  type HrContext,
} from "./common";
import { fullName, getEmployee, type EmployeeView } from "./employees";
import {
  createPolicyInput,
  decideTimeOffInput,
  requestTimeOffInput,
  type RequestTimeOffInput,
  type TimeOffKind,
} from "./schemas";

export {
  createPolicyInput,
  decideTimeOffInput,
  requestTimeOffInput,
  TIME_OFF_KINDS,
  type RequestTimeOffInput,
  type TimeOffKind,
} from "./schemas";

/**
 * Time off: policies (how many days a year, how many carry over), a balance per employee, policy and
 * year, and requests. A request reserves its days as pending; approval moves them to used, rejection
 * or cancellation gives them back. The database counts half days and refuses an overdrawn balance and
 * overlapping live requests for one person (migration …_hr), whatever code writes.
 */

export type TimeOffStatus = "requested" | "approved" | "rejected" | "cancelled";

export type TimeOffPolicyView = {
  id: string;
  name: string;
  kind: TimeOffKind;
  accrualDaysPerYear: number;
  maxCarryoverDays: number;
};

export async function createTimeOffPolicy(
  ctx: HrContext,
  raw: z.input<typeof createPolicyInput>,
): Promise<TimeOffPolicyView> {
  requireHrManager(ctx);
  const input = parsed(createPolicyInput, raw);
  const [row] = await refused(() =>
    sql(ctx).query<{ id: string }>(
      `INSERT INTO hr.time_off_policy (tenant_id, name, kind, accrual_half_days_per_year, max_carryover_half_days)
       VALUES ($1::uuid, $2, $3::hr.time_off_kind, $4::int, $5::int) RETURNING id::text`,
      [
        ctx.tenantId,
        input.name,
        input.kind,
        halfDaysOf(input.accrualDaysPerYear),
        halfDaysOf(input.maxCarryoverDays),
      ],
    ),
  );
  if (!row) throw new Error("hr: inserting a policy returned no row");
  await auditHr(
    ctx,
    "hr.time_off_policy_created",
    { type: "time_off_policy", id: row.id, label: input.name },
    {
      kind: input.kind,
      accrualDaysPerYear: input.accrualDaysPerYear,
      maxCarryoverDays: input.maxCarryoverDays,
    },
  );
  return { id: row.id, ...input };
}

type PolicyRow = { id: string; name: string; kind: TimeOffKind; accrual: number; carryover: number };
const policyView = (r: PolicyRow): TimeOffPolicyView => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  accrualDaysPerYear: daysOf(r.accrual),
  maxCarryoverDays: daysOf(r.carryover),
});
const POLICY_SELECT = `SELECT id::text, name, kind::text, accrual_half_days_per_year AS accrual,
       max_carryover_half_days AS carryover FROM hr.time_off_policy`;

export async function listTimeOffPolicies(ctx: HrContext): Promise<TimeOffPolicyView[]> {
  const rows = await sql(ctx).query<PolicyRow>(
    `${POLICY_SELECT} WHERE tenant_id = $1::uuid ORDER BY lower(name)`,
    [ctx.tenantId],
  );
  return rows.map(policyView);
}

async function getPolicy(ctx: HrContext, id: string): Promise<TimeOffPolicyView> {
  checkedId(id, "Time-off policy");
  const [row] = await sql(ctx).query<PolicyRow>(
    `${POLICY_SELECT} WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [ctx.tenantId, id],
  );
  if (!row) throw notFound("Time-off policy not found");
  return policyView(row);
}

export type BalanceView = {
  policyId: string;
  policy: string;
  year: number;
  entitledDays: number;
  carryoverDays: number;
  usedDays: number;
  pendingDays: number;
  /** Entitled plus carried over, minus used and pending: what a new request may take. */
  availableDays: number;
};

type BalanceRow = { entitled: number; carryover: number; used: number; pending: number };

const balanceView = (policy: TimeOffPolicyView, year: number, row: BalanceRow): BalanceView => ({
  policyId: policy.id,
  policy: policy.name,
  year,
  entitledDays: daysOf(row.entitled),
  carryoverDays: daysOf(row.carryover),
  usedDays: daysOf(row.used),
  pendingDays: daysOf(row.pending),
  availableDays: daysOf(row.entitled + row.carryover - row.used - row.pending),
});

/**
 * What a balance row holds, or would hold when first opened: the policy's yearly days, plus what is
 * left of last year up to the policy's carryover limit.
 */
const BALANCE_OR_OPENING = `
  SELECT coalesce(b.entitled_half_days, p.accrual_half_days_per_year) AS entitled,
         coalesce(b.carryover_half_days,
                  least(p.max_carryover_half_days, greatest(0, coalesce(
                    prev.entitled_half_days + prev.carryover_half_days - prev.used_half_days - prev.pending_half_days, 0))))
           AS carryover,
         coalesce(b.used_half_days, 0) AS used, coalesce(b.pending_half_days, 0) AS pending,
         b.id IS NOT NULL AS exists
    FROM hr.time_off_policy p
    LEFT JOIN hr.time_off_balance b ON b.tenant_id = p.tenant_id AND b.policy_id = p.id
         AND b.employee_id = $2::uuid AND b.year = $4::int
    LEFT JOIN hr.time_off_balance prev ON prev.tenant_id = p.tenant_id AND prev.policy_id = p.id
         AND prev.employee_id = $2::uuid AND prev.year = $4::int - 1
   WHERE p.tenant_id = $1::uuid AND p.id = $3::uuid`;

async function readBalance(ctx: HrContext, employeeId: string, policyId: string, year: number) {
  const [row] = await sql(ctx).query<BalanceRow & { exists: boolean }>(BALANCE_OR_OPENING, [
    ctx.tenantId,
    employeeId,
    policyId,
    year,
  ]);
  if (!row) throw notFound("Time-off policy not found");
  return row;
}

/** Opens the balance row if needed and locks it for this transaction; returns it. */
async function lockBalance(
  ctx: HrContext,
  employeeId: string,
  policyId: string,
  year: number,
): Promise<BalanceRow> {
  const opening = await readBalance(ctx, employeeId, policyId, year);
  if (!opening.exists)
    await sql(ctx).query(
      `INSERT INTO hr.time_off_balance (tenant_id, employee_id, policy_id, year, entitled_half_days, carryover_half_days)
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4::int, $5::int, $6::int)
       ON CONFLICT (tenant_id, employee_id, policy_id, year) DO NOTHING`,
      [ctx.tenantId, employeeId, policyId, year, opening.entitled, opening.carryover],
    );
  const [row] = await sql(ctx).query<BalanceRow>(
    `SELECT entitled_half_days AS entitled, carryover_half_days AS carryover, used_half_days AS used,
            pending_half_days AS pending
       FROM hr.time_off_balance
      WHERE tenant_id = $1::uuid AND employee_id = $2::uuid AND policy_id = $3::uuid AND year = $4::int
      FOR UPDATE`,
    [ctx.tenantId, employeeId, policyId, year],
  );
  if (!row) throw new Error("hr: the balance row vanished");
  return row;
}

/** Who may see or act on an employee's time off: HR managers, the person, and their manager. */
async function relation(ctx: HrContext, employee: EmployeeView): Promise<"hr" | "self" | "manager" | "none"> {
  if (isHrManager(ctx)) return "hr";
  const userId = ctx.actor?.userId;
  if (employee.userId && employee.userId === userId) return "self";
  if (employee.managerId) {
    const [manager] = await sql(ctx).query<{ user_id: string | null }>(
      `SELECT user_id::text FROM hr.employee WHERE tenant_id = $1::uuid AND id = $2::uuid`,
      [ctx.tenantId, employee.managerId],
    );
    if (manager?.user_id && manager.user_id === userId) return "manager";
  }
  return "none";
}

const yearSchema = z.number().int().min(2000, "Use a year from 2000").max(2200, "Use a year up to 2200");

/** An employee's balances for a year, one per policy (a balance not opened yet shows what it would hold). */
export async function balancesFor(ctx: HrContext, employeeId: string, year: number): Promise<BalanceView[]> {
  const employee = await getEmployee(ctx, employeeId);
  if ((await relation(ctx, employee)) === "none") throw notFound("Employee not found");
  const y = parsed(yearSchema, year);
  const policies = await listTimeOffPolicies(ctx);
  const views: BalanceView[] = [];
  for (const policy of policies)
    views.push(balanceView(policy, y, await readBalance(ctx, employee.id, policy.id, y)));
  return views;
}

export const setEntitlementInput = z.object({
  employeeId: z.uuid("Choose an employee"),
  policyId: z.uuid("Choose a policy"),
  year: yearSchema,
  entitledDays: halfDayAmount,
  carryoverDays: halfDayAmount.optional(),
});

/** Sets one year's entitlement (and carryover) for a person, e.g. pro rata for a joiner. */
export async function setEntitlement(
  ctx: HrContext,
  raw: z.input<typeof setEntitlementInput>,
): Promise<BalanceView> {
  requireHrManager(ctx);
  const input = parsed(setEntitlementInput, raw);
  const employee = await getEmployee(ctx, input.employeeId);
  const policy = await getPolicy(ctx, input.policyId);
  const current = await lockBalance(ctx, employee.id, policy.id, input.year);
  const next = {
    ...current,
    entitled: halfDaysOf(input.entitledDays),
    carryover: input.carryoverDays === undefined ? current.carryover : halfDaysOf(input.carryoverDays),
  };
  if (next.used + next.pending > next.entitled + next.carryover)
    throw badField(
      "entitledDays",
      `${daysOf(current.used + current.pending)} days are already used or requested this year`,
    );
  await refused(() =>
    sql(ctx).query(
      `UPDATE hr.time_off_balance SET entitled_half_days = $5::int, carryover_half_days = $6::int
        WHERE tenant_id = $1::uuid AND employee_id = $2::uuid AND policy_id = $3::uuid AND year = $4::int`,
      [ctx.tenantId, employee.id, policy.id, input.year, next.entitled, next.carryover],
    ),
  );
  await auditHr(
    ctx,
    "hr.time_off_entitlement_set",
    { type: "employee", id: employee.id, label: fullName(employee) },
    {
      policy: policy.name,
      year: input.year,
      entitledDays: input.entitledDays,
      carryoverDays: daysOf(next.carryover),
    },
  );
  return balanceView(policy, input.year, next);
}

/** Monday to Friday between two days, both included. */
export function workingDays(start: string, end: string): number {
  let count = 0;
  for (
    let day = new Date(`${start}T00:00:00Z`);
    day <= new Date(`${end}T00:00:00Z`);
    day.setUTCDate(day.getUTCDate() + 1)
  ) {
    const weekday = day.getUTCDay();
    if (weekday !== 0 && weekday !== 6) count++;
  }
  return count;
}

export type TimeOffRequestView = {
  id: string;
  employeeId: string;
  policyId: string;
  startDate: string;
  endDate: string;
  days: number;
  status: TimeOffStatus;
  reason: string;
  decidedBy: string | null;
  decidedAt: Date | null;
};

export type TimeOffPlan = {
  employee: EmployeeView;
  policy: TimeOffPolicyView;
  input: z.output<typeof requestTimeOffInput>;
  halfDays: number;
  year: number;
  before: BalanceView;
  after: BalanceView;
};

/** Everything requestTimeOff checks, without writing: what a dry run shows. */
export async function planTimeOffRequest(ctx: HrContext, raw: RequestTimeOffInput): Promise<TimeOffPlan> {
  const input = parsed(requestTimeOffInput, raw);
  const employee = await getEmployee(ctx, input.employeeId);
  const who = await relation(ctx, employee);
  if (who === "none") throw notFound("Employee not found");
  if (who === "manager") throw new AppError("FORBIDDEN", "People request their own time off");
  if (employee.status === "terminated") throw new AppError("CONFLICT", `${fullName(employee)} has left`);
  const policy = await getPolicy(ctx, input.policyId);
  const calendarDays = Math.round((Date.parse(input.endDate) - Date.parse(input.startDate)) / 86_400_000) + 1;
  const days = input.days ?? workingDays(input.startDate, input.endDate);
  if (days <= 0) throw badField("days", "These dates fall on a weekend; give the days to take");
  if (days > calendarDays) throw badField("days", `At most ${calendarDays} days fit between these dates`);
  const halfDays = halfDaysOf(days);
  const year = Number(input.startDate.slice(0, 4));
  const [overlap] = await sql(ctx).query<{ start_date: string; end_date: string; status: TimeOffStatus }>(
    `SELECT start_date::text, end_date::text, status::text FROM hr.time_off_request
      WHERE tenant_id = $1::uuid AND employee_id = $2::uuid AND status IN ('requested', 'approved')
        AND daterange(start_date, end_date, '[]') && daterange($3::date, $4::date, '[]')
      LIMIT 1`,
    [ctx.tenantId, employee.id, input.startDate, input.endDate],
  );
  if (overlap)
    throw new AppError(
      "CONFLICT",
      `This overlaps time off already ${overlap.status} from ${overlap.start_date} to ${overlap.end_date}`,
    );
  const row = await readBalance(ctx, employee.id, policy.id, year);
  const before = balanceView(policy, year, row);
  if (halfDays > row.entitled + row.carryover - row.used - row.pending)
    throw new AppError(
      "CONFLICT",
      `Not enough ${policy.name} left for ${year}: ${before.availableDays} days available, ${days} requested`,
    );
  const after = balanceView(policy, year, { ...row, pending: row.pending + halfDays });
  return { employee, policy, input, halfDays, year, before, after };
}

/** Requests time off and reserves its days in the balance. */
export async function requestTimeOff(
  ctx: HrContext,
  raw: RequestTimeOffInput,
): Promise<{ request: TimeOffRequestView; balance: BalanceView }> {
  const plan = await planTimeOffRequest(ctx, raw);
  // Locked now, so two requests at once are counted one after the other; the CHECK backs this up.
  const balance = await lockBalance(ctx, plan.employee.id, plan.policy.id, plan.year);
  if (plan.halfDays > balance.entitled + balance.carryover - balance.used - balance.pending)
    throw new AppError("CONFLICT", `Not enough ${plan.policy.name} left for ${plan.year}`);
  const [row] = await refused(async () => {
    const inserted = await sql(ctx).query<{ id: string }>(
      `INSERT INTO hr.time_off_request (tenant_id, employee_id, policy_id, start_date, end_date, half_days, reason)
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4::date, $5::date, $6::int, $7) RETURNING id::text`,
      [
        ctx.tenantId,
        plan.employee.id,
        plan.policy.id,
        plan.input.startDate,
        plan.input.endDate,
        plan.halfDays,
        plan.input.reason,
      ],
    );
    await sql(ctx).query(
      `UPDATE hr.time_off_balance SET pending_half_days = pending_half_days + $5::int
        WHERE tenant_id = $1::uuid AND employee_id = $2::uuid AND policy_id = $3::uuid AND year = $4::int`,
      [ctx.tenantId, plan.employee.id, plan.policy.id, plan.year, plan.halfDays],
    );
    return inserted;
  });
  if (!row) throw new Error("hr: inserting a request returned no row");
  await auditHr(
    ctx,
    "hr.time_off_requested",
    {
      type: "time_off_request",
      id: row.id,
      label: `${fullName(plan.employee)}, ${plan.input.startDate}–${plan.input.endDate}`,
    },
    { policy: plan.policy.name, days: daysOf(plan.halfDays) },
  );
  return {
    request: await getTimeOffRequest(ctx, row.id),
    balance: balanceView(plan.policy, plan.year, { ...balance, pending: balance.pending + plan.halfDays }),
  };
}

type RequestRow = {
  id: string;
  employee_id: string;
  policy_id: string;
  start_date: string;
  end_date: string;
  half_days: number;
  status: TimeOffStatus;
  reason: string;
  decided_by: string | null;
  decided_at: Date | null;
};
const requestView = (r: RequestRow): TimeOffRequestView => ({
  id: r.id,
  employeeId: r.employee_id,
  policyId: r.policy_id,
  startDate: r.start_date,
  endDate: r.end_date,
  days: daysOf(r.half_days),
  status: r.status,
  reason: r.reason,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
});

async function findRequest(ctx: HrContext, id: string, lock: boolean): Promise<RequestRow> {
  checkedId(id, "Time-off request");
  const [row] = await sql(ctx).query<RequestRow>(
    `SELECT id::text, employee_id::text, policy_id::text, start_date::text, end_date::text, half_days,
            status::text, reason, decided_by::text, decided_at
       FROM hr.time_off_request WHERE tenant_id = $1::uuid AND id = $2::uuid${lock ? " FOR UPDATE" : ""}`,
    [ctx.tenantId, id],
  );
  if (!row) throw notFound("Time-off request not found");
  return row;
}

export async function getTimeOffRequest(ctx: HrContext, id: string): Promise<TimeOffRequestView> {
  const row = await findRequest(ctx, id, false);
  const employee = await getEmployee(ctx, row.employee_id);
  if ((await relation(ctx, employee)) === "none") throw notFound("Time-off request not found");
  return requestView(row);
}

export async function listTimeOffRequests(ctx: HrContext, employeeId: string): Promise<TimeOffRequestView[]> {
  const employee = await getEmployee(ctx, employeeId);
  if ((await relation(ctx, employee)) === "none") throw notFound("Employee not found");
  const rows = await sql(ctx).query<RequestRow>(
    `SELECT id::text, employee_id::text, policy_id::text, start_date::text, end_date::text, half_days,
            status::text, reason, decided_by::text, decided_at
       FROM hr.time_off_request WHERE tenant_id = $1::uuid AND employee_id = $2::uuid
      ORDER BY start_date DESC, created_at DESC`,
    [ctx.tenantId, employee.id],
  );
  return rows.map(requestView);
}

export type TimeOffChange = {
  request: TimeOffRequestView;
  employee: EmployeeView;
  /** The balance after the change. */
  balance: BalanceView;
};

/** What a decision or a cancellation would do to the request and the balance, without writing. */
export async function planTimeOffChange(
  ctx: HrContext,
  requestId: string,
  to: "approved" | "rejected" | "cancelled",
  lock = false,
): Promise<TimeOffChange & { before: BalanceView; usedDelta: number; pendingDelta: number }> {
  const row = await findRequest(ctx, requestId, lock);
  const employee = await getEmployee(ctx, row.employee_id);
  const who = await relation(ctx, employee);
  if (who === "none") throw notFound("Time-off request not found");
  const ownRequest = ctx.actor !== null && employee.userId === ctx.actor.userId;
  if (to === "cancelled" ? who === "manager" : who === "self" || ownRequest)
    throw new AppError(
      "FORBIDDEN",
      to === "cancelled" ? "Only the person or HR can cancel time off" : "Nobody decides their own time off",
    );
  const allowed = to === "cancelled" ? ["requested", "approved"] : ["requested"];
  if (!allowed.includes(row.status)) throw new AppError("CONFLICT", `This request is already ${row.status}`);
  const usedDelta =
    to === "approved" ? row.half_days : to === "cancelled" && row.status === "approved" ? -row.half_days : 0;
  const pendingDelta = row.status === "requested" ? -row.half_days : 0;
  const policy = await getPolicy(ctx, row.policy_id);
  const year = Number(row.start_date.slice(0, 4));
  const current = lock
    ? await lockBalance(ctx, employee.id, policy.id, year)
    : await readBalance(ctx, employee.id, policy.id, year);
  const after = { ...current, used: current.used + usedDelta, pending: current.pending + pendingDelta };
  return {
    request: requestView({ ...row, status: to }),
    employee,
    before: balanceView(policy, year, current),
    balance: balanceView(policy, year, after),
    usedDelta,
    pendingDelta,
  };
}

async function changeTimeOff(
  ctx: HrContext,
  requestId: string,
  to: "approved" | "rejected" | "cancelled",
): Promise<TimeOffChange> {
  const plan = await planTimeOffChange(ctx, requestId, to, true);
  const decided = to !== "cancelled";
  await refused(async () => {
    await sql(ctx).query(
      `UPDATE hr.time_off_request SET status = $3::hr.time_off_status,
              decided_by = CASE WHEN $4::boolean THEN $5::uuid ELSE decided_by END,
              decided_at = CASE WHEN $4::boolean THEN now() ELSE decided_at END
        WHERE tenant_id = $1::uuid AND id = $2::uuid`,
      [ctx.tenantId, requestId, to, decided, ctx.actor?.userId ?? null],
    );
    await sql(ctx).query(
      `UPDATE hr.time_off_balance SET used_half_days = used_half_days + $5::int,
              pending_half_days = pending_half_days + $6::int
        WHERE tenant_id = $1::uuid AND employee_id = $2::uuid AND policy_id = $3::uuid AND year = $4::int`,
      [
        ctx.tenantId,
        plan.employee.id,
        plan.request.policyId,
        plan.balance.year,
        plan.usedDelta,
        plan.pendingDelta,
      ],
    );
  });
  await auditHr(
    ctx,
    `hr.time_off_${to}`,
    {
      type: "time_off_request",
      id: requestId,
      label: `${fullName(plan.employee)}, ${plan.request.startDate}–${plan.request.endDate}`,
    },
    { days: plan.request.days },
  );
  const request = await findRequest(ctx, requestId, false);
  return { request: requestView(request), employee: plan.employee, balance: plan.balance };
}

/** Approves or rejects a requested absence: its pending days become used, or are given back. */
export async function decideTimeOff(
  ctx: HrContext,
  raw: z.input<typeof decideTimeOffInput>,
): Promise<TimeOffChange> {
  const input = parsed(decideTimeOffInput, raw);
  return changeTimeOff(ctx, input.requestId, input.decision);
}

/** Cancels a requested or approved absence and gives its days back. */
export async function cancelTimeOff(ctx: HrContext, raw: { requestId: string }): Promise<TimeOffChange> {
  const input = parsed(z.object({ requestId: z.uuid("Choose a request") }), raw);
  return changeTimeOff(ctx, input.requestId, "cancelled");
}

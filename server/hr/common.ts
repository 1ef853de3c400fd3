import type { Tx } from "@/server/db/client";
import { hasSqlState, sqlOf } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import type { AuditDetail } from "@/server/kernel/audit/detail";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { Actor } from "@/server/tenancy/context";
import type { Role } from "@/server/tenancy/roles";

/**
 * What every HR function receives: the tenant, its row-level-security transaction, and the person
 * acting, whose role and relations decide what they may do and who is recorded as deciding. Calls
 * through the HRIS connector act as the person the kernel verified (an agent's acting-for person)
 * and are marked `byKernel`: the kernel audits them itself, so these functions append no entry of
 * their own. `actor` null is a system change with no person behind it: no role is checked and none
 * is recorded. A TenantContext fits as it is.
 */
export type HrContext = {
  tenantId: string;
  db: Tx;
  actor: Actor | null;
  byKernel?: boolean;
  /** Approvals the kernel verified for this call (a manager's onboarding an admin approved). */
  approvedBy?: readonly string[];
};

/** Owners and admins keep the people records; members read the directory and their own time off. */
const HR_MANAGERS: readonly Role[] = ["owner", "admin"];

/** HR's work: owners' and admins', or anyone's an admin approved through the kernel. */
export const isHrManager = (ctx: HrContext) =>
  ctx.actor === null ||
  HR_MANAGERS.includes(ctx.actor.role) ||
  (ctx.byKernel === true && (ctx.approvedBy ?? []).includes("role:admin"));

export function requireHrManager(ctx: HrContext): void {
  if (!isHrManager(ctx)) throw new AppError("FORBIDDEN", "Only owners and admins can change people records");
}

export const sql = (ctx: { db: Tx }) => sqlOf(ctx.db);

export const badField = (field: string, message: string) =>
  new AppError("BAD_REQUEST", `${field}: ${message}`, { fields: { [field]: [message] } });

/** `days` days after (or, negative, before) a YYYY-MM-DD day. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Whether the database's message for `error` names `constraint`. */
function mentions(error: unknown, constraint: string): boolean {
  return error instanceof Error && (error.message.includes(constraint) || mentions(error.cause, constraint));
}

/** SQLSTATEs raised by migration …_hr's triggers, and PostgreSQL's own for constraint violations. */
const REPORTING_CYCLE = "HR001";
const DEPARTMENT_CYCLE = "HR002";
const UNIQUE = "23505";
const EXCLUSION = "23P01";
const CHECK = "23514";

/**
 * The one place a refusal by the hr schema's constraints becomes an AppError: the database is the
 * last word on these rules, so a check the code missed (or a race it lost) still ends in a clear
 * message. Null for any other error.
 */
export function hrRefusal(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (hasSqlState(error, REPORTING_CYCLE))
    return new AppError(
      "BAD_REQUEST",
      "managerId: An employee cannot report to themselves, directly or through others",
      {
        cause: error,
        fields: { managerId: ["An employee cannot report to themselves, directly or through others"] },
      },
    );
  if (hasSqlState(error, DEPARTMENT_CYCLE))
    return new AppError("BAD_REQUEST", "parentId: A department cannot be inside itself", {
      cause: error,
      fields: { parentId: ["A department cannot be inside itself"] },
    });
  if (hasSqlState(error, EXCLUSION))
    return new AppError("CONFLICT", "This time off overlaps time off already requested or approved", {
      cause: error,
    });
  if (hasSqlState(error, CHECK) && mentions(error, "time_off_balance_not_overdrawn"))
    return new AppError("CONFLICT", "Not enough time off left in the balance", { cause: error });
  if (hasSqlState(error, UNIQUE)) {
    if (mentions(error, "employee_tenant_email_key"))
      return new AppError("CONFLICT", "Another employee already has this work email", { cause: error });
    if (mentions(error, "employee_number"))
      return new AppError("CONFLICT", "Another employee already has this employee number", { cause: error });
    if (mentions(error, "user_id"))
      return new AppError("CONFLICT", "This account already belongs to another employee record", {
        cause: error,
      });
    if (mentions(error, "department_tenant_name_key"))
      return new AppError("CONFLICT", "There is already a department with this name", { cause: error });
    if (mentions(error, "time_off_policy_tenant_name_key"))
      return new AppError("CONFLICT", "There is already a time-off policy with this name", { cause: error });
    return new AppError("CONFLICT", "This record already exists", { cause: error });
  }
  return null;
}

/** Runs a write, turning the database's refusals into AppErrors. */
export async function refused<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw hrRefusal(error) ?? error;
  }
}

/** Audits a change a person made; changes through the kernel are audited by the kernel. */
export async function auditHr(
  ctx: HrContext,
  action: string,
  resource: { type: string; id: string; label: string },
  detail: AuditDetail,
): Promise<void> {
  if (!ctx.actor || ctx.byKernel) return;
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action,
    resource,
    outcome: "succeeded",
    detail,
  });
}

/** Half-day units (how the database counts) as days, and back. */
export const daysOf = (halfDays: number) => halfDays / 2;
export const halfDaysOf = (days: number) => Math.round(days * 2);

export { halfDayAmount, isoDate, isTimeZone, timeZone } from "./schemas";

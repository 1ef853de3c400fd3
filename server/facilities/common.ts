import { z } from "zod";
import type { Tx } from "@/server/db/client";
import { sqlOf } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import type { TenantContext } from "@/server/tenancy/context";
import type { Role } from "@/server/tenancy/roles";

/** Owners and admins run the facilities: sites, spaces, everyone's bookings, tickets and visitors. */
export const FACILITIES_MANAGERS: readonly Role[] = ["owner", "admin"];

export const isFacilitiesManager = (role: Role | null | undefined) =>
  role !== null && role !== undefined && FACILITIES_MANAGERS.includes(role);

export function requireFacilitiesManager(ctx: TenantContext, what: string): void {
  if (!isFacilitiesManager(ctx.actor.role))
    throw new AppError("FORBIDDEN", `Only owners and admins can ${what}`);
}

/**
 * Who a change is made for. People act through a TenantContext (`role` set); the connector acts for
 * whoever the kernel authorized (`role` null: the kernel's policies already decided), optionally
 * naming the person, and with the syscall id that makes a retried call find its first result.
 */
export type Acting = { userId: string | null; role: Role | null; syscallId: string | null };

export const actingOf = (ctx: TenantContext): Acting => ({
  userId: ctx.actor.userId,
  role: ctx.actor.role,
  syscallId: null,
});

/** A timestamptz column as ISO 8601 text in UTC, which both database drivers return alike. */
export const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Runs `fn` under a savepoint, so a refusal by the database can be rolled back and explained. */
export async function withSavepoint<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  const sql = sqlOf(tx);
  await sql.query("SAVEPOINT facilities_write");
  try {
    const result = await fn();
    await sql.query("RELEASE SAVEPOINT facilities_write");
    return result;
  } catch (error) {
    await sql.query("ROLLBACK TO SAVEPOINT facilities_write");
    throw error;
  }
}

/** Whether `userId` is an active member of the tenant (the transaction's tenant). */
export async function isActiveMember(tx: Tx, tenantId: string, userId: string): Promise<boolean> {
  const rows = await sqlOf(tx).query<{ ok: boolean }>(
    `SELECT true AS ok FROM "Membership" WHERE "tenantId" = $1::uuid AND "userId" = $2::uuid AND "deactivatedAt" IS NULL`,
    [tenantId, userId],
  );
  return rows.length > 0;
}

export async function requireMember(tx: Tx, tenantId: string, userId: string, field: string): Promise<void> {
  if (!z.uuid().safeParse(userId).success || !(await isActiveMember(tx, tenantId, userId)))
    throw new AppError("BAD_REQUEST", `${field}: Not a member of this tenant`, {
      fields: { [field]: ["Not a member of this tenant"] },
    });
}

export const trimmed = (what: string, max: number) =>
  z.string().trim().min(1, `${what} is required`).max(max, `Use at most ${max} characters`);

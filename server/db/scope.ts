import type pg from "pg";
import { AppError } from "@/server/errors";
import { poolOf, type PrismaClient, type Tx } from "./client";
import type { Sql } from "./sql";

/**
 * The only code that sets the tenant for row-level security. Both settings are transaction-local
 * (`set_config(..., true)`), so a pooled connection never carries one request's tenant into the next.
 * Policies read them through app_current_tenant() / app_current_user() (migration 0001).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 30_000 } as const;

function checkId(id: string, what: string): void {
  // A malformed id would make the policies' uuid cast fail with a database error; refuse it as absent.
  if (!UUID.test(id)) throw new AppError("NOT_FOUND", `${what} not found`);
}

/** Runs `fn` in one transaction that sees only `tenantId`'s rows (and, optionally, acts as `userId`). */
export async function withTenant<T>(
  db: PrismaClient,
  scope: { tenantId: string; userId?: string },
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  checkId(scope.tenantId, "Tenant");
  if (scope.userId) checkId(scope.userId, "User");
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT set_config('app.tenant_id', ${scope.tenantId}, true), set_config('app.user_id', ${scope.userId ?? ""}, true)`;
    return fn(tx);
  }, TRANSACTION_OPTIONS);
}

/**
 * withTenant for plain SQL (sql.ts): one transaction on a connection of the same pool, without
 * Prisma's per-query overhead. Only the kernel's syscall path uses it.
 */
export async function withTenantSql<T>(
  db: PrismaClient,
  tenantId: string,
  fn: (sql: Sql) => Promise<T>,
): Promise<T> {
  checkId(tenantId, "Tenant");
  const client = await poolOf(db).connect();
  let broken = false;
  try {
    // One round trip for both: a multi-statement query cannot take parameters, so the id is inlined,
    // which is safe because checkId admitted only a UUID.
    await client.query(
      `BEGIN; SELECT set_config('app.tenant_id', '${tenantId}', true), set_config('app.user_id', '', true)`,
    );
    const result = await fn({
      query: async <Row>(text: string, values: readonly unknown[] = []) =>
        (await client.query<Row & pg.QueryResultRow>(text, [...values])).rows,
    });
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    // A connection that could not even roll back is discarded rather than reused.
    client.release(broken);
  }
}

/**
 * Runs `fn` in one transaction with no tenant set: it sees the user's own memberships and the tenants
 * they belong to, and no other tenant-owned rows.
 */
export async function withUser<T>(db: PrismaClient, userId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  checkId(userId, "User");
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT set_config('app.tenant_id', '', true), set_config('app.user_id', ${userId}, true)`;
    return fn(tx);
  }, TRANSACTION_OPTIONS);
}

/** Switches an open transaction to `tenantId`, after the caller has verified membership. */
export async function enterTenant(tx: Tx, tenantId: string): Promise<void> {
  checkId(tenantId, "Tenant");
  await tx.$executeRaw`SELECT set_config('app.tenant_id', ${tenantId}, true)`;
}

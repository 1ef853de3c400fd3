import type pg from "pg";
import { AppError } from "@/server/errors";
import { poolOf, type PrismaClient, type Tx } from "./client";
import { UUID_PATTERN, type Sql } from "./sql";

/**
 * The only code that sets the tenant for row-level security. Both settings are transaction-local
 * (`set_config(..., true)`), so a pooled connection never carries one request's tenant into the next.
 * Policies read them through app_current_tenant() / app_current_user() (migration 0001).
 */

const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 30_000 } as const;

function checkId(id: string, what: string): void {
  // A malformed id would make the policies' uuid cast fail with a database error; refuse it as absent.
  if (!UUID_PATTERN.test(id)) throw new AppError("NOT_FOUND", `${what} not found`);
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
 * Prisma's per-query overhead. Only the kernel's syscall path uses it. `opening` statements run in
 * the same round trip as BEGIN and the tenant setting, and `fn` gets their rows: each must be
 * complete SQL text whose only values are literals from sql.ts.
 */
export async function withTenantSql<T>(
  db: PrismaClient,
  tenantId: string,
  fn: (sql: Sql, opened: unknown[][]) => Promise<T>,
  opening: readonly string[] = [],
): Promise<T> {
  checkId(tenantId, "Tenant");
  const client = await poolOf(db).connect();
  let broken = false;
  try {
    const begin = [
      "BEGIN",
      // Inlined rather than a parameter (see above); safe because checkId admitted only a UUID.
      `SELECT set_config('app.tenant_id', '${tenantId}', true), set_config('app.user_id', '', true)`,
      ...opening,
    ];
    // A multi-statement query answers with one result per statement.
    const answer: unknown = await client.query(begin.join(";\n"));
    const results: unknown[] = Array.isArray(answer) ? answer : [answer];
    const opened = results.slice(2).map(rowsOf);
    const result = await fn(
      {
        query: async <Row>(text: string, values: readonly unknown[] = []) =>
          (await client.query<Row & pg.QueryResultRow>(text, [...values])).rows,
      },
      opened,
    );
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

function rowsOf(result: unknown): unknown[] {
  if (typeof result !== "object" || result === null || !("rows" in result)) return [];
  return Array.isArray(result.rows) ? result.rows : [];
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

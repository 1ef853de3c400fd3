import type { Tx } from "./client";

/**
 * Plain SQL inside a tenant-scoped transaction, for the few hot paths where Prisma's per-query
 * overhead matters (the kernel's syscall path; see docs/benchmarks.md). Parameters are `$1`, `$2`, …;
 * queries should return text, booleans and json only, which both drivers decode alike.
 */
export type Sql = { query<Row>(text: string, values?: readonly unknown[]): Promise<Row[]> };

/** The same interface over a Prisma transaction, so one implementation serves both. */
export function sqlOf(tx: Tx): Sql {
  return {
    query: <Row>(text: string, values: readonly unknown[] = []) => tx.$queryRawUnsafe<Row[]>(text, ...values),
  };
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkedUuid(id: string): string {
  if (!UUID_PATTERN.test(id)) throw new Error(`Not a UUID, so not inlined into SQL: ${JSON.stringify(id)}`);
  return id;
}

/**
 * UUIDs written into SQL text, for statements that ride in one round trip with BEGIN (a
 * multi-statement query cannot take parameters; see withTenantSql). Anything but a UUID is refused,
 * so nothing that could end the literal ever reaches the text.
 */
export const uuidLiteral = (id: string) => `'${checkedUuid(id)}'::uuid`;
export const uuidArrayLiteral = (ids: readonly string[]) => `'{${ids.map(checkedUuid).join(",")}}'::uuid[]`;

/**
 * Whether `error` carries `state` as a SQLSTATE, wherever the driver adapter and Prisma nested it
 * (Prisma reports a raw query's failure as P2010 with the database's code in `meta`).
 */
export function hasSqlState(error: unknown, state: string, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 4) return false;
  for (const key of ["originalCode", "code"]) {
    if (Reflect.get(error, key) === state) return true;
  }
  return ["cause", "meta", "driverAdapterError"].some((key) =>
    hasSqlState(Reflect.get(error, key), state, depth + 1),
  );
}

/** PostgreSQL's SQLSTATEs for constraint violations (Appendix A of its manual). */
export const UNIQUE_VIOLATION = "23505";
export const FOREIGN_KEY_VIOLATION = "23503";
export const EXCLUSION_VIOLATION = "23P01";

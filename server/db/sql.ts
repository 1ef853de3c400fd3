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

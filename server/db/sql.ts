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

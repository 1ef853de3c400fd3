import { z } from "zod";
import { uuidLiteral, type Sql } from "@/server/db/sql";
import { GENESIS_HASH } from "./entry";

export type ChainHead = { seq: bigint; hash: string };

/**
 * Takes the tenant's chain lock until the transaction ends, then reads the head and the database's
 * clock, in one round trip (audit_lock_chain, migration …_audit_log). Reading after the lock sees the
 * entry the previous holder committed, so concurrent appenders line up one after another with no gap
 * or fork; the unique (tenantId, seq) key is the backstop should a caller use REPEATABLE READ with a
 * snapshot taken before the lock. The time comes from the database so that entries written by several
 * app servers share one clock.
 */
export async function lockChain(sql: Sql, tenantId: string): Promise<LockedChain> {
  return parseLockedChain(await sql.query(lockChainStatement(tenantId)), tenantId);
}

export type LockedChain = { head: ChainHead; now: Date };

/** lockChain's query as complete SQL text, to send in the same round trip as BEGIN (withTenantSql). */
export const lockChainStatement = (tenantId: string) =>
  `SELECT current_tenant::text AS tenant, now_ms::text AS "nowMs", head_seq::text AS seq, head_hash AS hash
     FROM audit_lock_chain(${uuidLiteral(tenantId)})`;

const chainRow = z.object({
  tenant: z.string().nullable(),
  nowMs: z.string(),
  seq: z.string().nullable(),
  hash: z.string().nullable(),
});

export function parseLockedChain(rows: readonly unknown[], tenantId: string): LockedChain {
  if (rows.length === 0) throw new Error("audit: reading the chain head returned no row");
  const row = chainRow.parse(rows[0]);
  // Row-level security would refuse the insert anyway; this says why, before anything is written.
  if (row.tenant !== tenantId) {
    throw new Error("audit: appendAudit must run in a withTenant transaction for the same tenant");
  }
  const head =
    row.seq !== null && row.hash !== null
      ? { seq: BigInt(row.seq), hash: row.hash }
      : { seq: 0n, hash: GENESIS_HASH };
  return { head, now: new Date(Number(row.nowMs)) };
}

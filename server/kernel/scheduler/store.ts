import type pg from "pg";
import type { Sql } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import type { PoolState, Policy, QueuedSyscall, RecentGrant, RoundPlan, Share } from "./policy";

/**
 * The scheduler's SQL (schema `kernel`, migration …_kernel_scheduler). A dispatch round runs under the
 * pool's transaction-level advisory lock, so rounds of one pool are serialised across every app
 * process and a syscall is granted once; its reads travel in one round trip with BEGIN.
 */

/** Advisory lock classes: each app process's liveness lock, and a pool's dispatch lock. */
export const LIVENESS_LOCK_CLASS = 7358;
const ROUND_LOCK_CLASS = 7359;
export const CHANNEL = "kernel_scheduler";

/** The Sql interface (server/db/sql.ts) over a plain pool or connection: no tenant scope needed here. */
export const poolSql = (pool: pg.Pool | pg.ClientBase): Sql => ({
  query: async <Row>(text: string, values: readonly unknown[] = []) =>
    (await pool.query<Row & pg.QueryResultRow>(text, [...values])).rows,
});

export const POOL_ID = /^[a-z0-9][a-z0-9:._-]{0,99}$/;

export function checkPoolId(id: string): string {
  if (!POOL_ID.test(id)) throw new AppError("BAD_REQUEST", `Not a pool id: ${JSON.stringify(id)}`);
  return id;
}

type RoundRows = {
  now: number;
  pool: PoolState & { id: string };
  active: (QueuedSyscall & { state: "queued" | "running" })[];
  recent: RecentGrant[];
  weights: Map<string, number>;
  shares: Map<string, Share>;
  failedHolders: number;
};

/** The processes alive now: those holding their liveness lock in this database. */
const LIVE_HOLDERS = `SELECT l.objid::bigint FROM pg_locks l
  WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ${LIVENESS_LOCK_CLASS}::oid AND l.objsubid = 2
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/**
 * Opens a round: BEGIN, the pool's lock, syscalls of vanished processes failed (nobody waits for
 * them; a running one gives its slot back), and everything planRound needs, in one round trip.
 */
export async function openRound(
  client: pg.ClientBase,
  poolId: string,
  windowMs: number,
  /** Whether the round's transaction is already open (it wrote this process's events first). */
  began: boolean,
): Promise<RoundRows | null> {
  const id = `'${checkPoolId(poolId)}'`;
  // Inlined (the statements travel with BEGIN, without parameters): a whole number, checked.
  if (!Number.isInteger(windowMs) || windowMs <= 0) throw new Error(`Not a rate window: ${windowMs}`);
  const statements = [
    began ? "SELECT 1" : "BEGIN",
    `SELECT pg_advisory_xact_lock(${ROUND_LOCK_CLASS}, hashtext(${id}))`,
    `WITH gone AS (
       UPDATE kernel.syscall SET state = 'failed', finished_at = clock_timestamp(),
              error = 'The app process that sent it stopped'
       WHERE pool_id = ${id} AND state IN ('queued', 'running') AND holder::bigint NOT IN (${LIVE_HOLDERS})
       RETURNING 1)
     SELECT count(*)::int AS failed, (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now FROM gone`,
    `SELECT policy, concurrency, requests_per_minute, tokens_per_minute, tenant_concurrency,
            tenant_requests_per_minute, tenant_tokens_per_minute, aging_per_second, default_deadline_ms,
            (extract(epoch FROM paused_until) * 1000)::float8 AS paused_until, rr_cursor, vclock
     FROM kernel.pool WHERE id = ${id}`,
    `SELECT id::text, tenant_id::text, agent_key, priority, tokens, state,
            (extract(epoch FROM deadline) * 1000)::float8 AS deadline,
            (extract(epoch FROM enqueued_at) * 1000)::float8 AS enqueued_at
     FROM kernel.syscall WHERE pool_id = ${id} AND state IN ('queued', 'running') ORDER BY id`,
    // Summed per tenant and second: a busy pool grants thousands a minute, and a round needs only
    // how much each second used and when it leaves the window.
    `SELECT tenant_id::text, count(*)::int AS requests, sum(tokens)::float8 AS tokens,
            (extract(epoch FROM max(granted_at)) * 1000)::float8 AS granted_at
     FROM kernel.syscall s WHERE pool_id = ${id} AND granted_at > clock_timestamp() - interval '${windowMs} milliseconds'
       AND EXISTS (SELECT 1 FROM kernel.pool p WHERE p.id = ${id} AND (p.requests_per_minute IS NOT NULL
         OR p.tokens_per_minute IS NOT NULL OR p.tenant_requests_per_minute IS NOT NULL
         OR p.tenant_tokens_per_minute IS NOT NULL))
     GROUP BY tenant_id, floor(extract(epoch FROM granted_at))`,
    `SELECT tenant_id::text, weight FROM kernel.tenant_weight WHERE pool_id = ${id}`,
    `SELECT tenant_id::text, agent_key, vtime, clock FROM kernel.share
     WHERE pool_id = ${id} AND EXISTS (SELECT 1 FROM kernel.pool p WHERE p.id = ${id} AND p.policy = 'fair_share')
       AND tenant_id IN (SELECT tenant_id FROM kernel.syscall WHERE pool_id = ${id} AND state = 'queued')`,
  ];
  // A multi-statement query answers with one result per statement (pg's types show a single one).
  const answer: unknown = await client.query(statements.join(";\n"));
  const results: unknown[] = Array.isArray(answer) ? answer : [answer];
  const rows = (i: number): Record<string, unknown>[] => {
    const result = results[i];
    return typeof result === "object" && result !== null && "rows" in result && Array.isArray(result.rows)
      ? (result.rows as Record<string, unknown>[])
      : [];
  };
  const head = rows(2)[0];
  const poolRow = rows(3)[0];
  if (!head || !poolRow) return null;
  const pool: RoundRows["pool"] = {
    id: poolId,
    policy: poolRow.policy as Policy,
    limits: {
      concurrency: Number(poolRow.concurrency),
      requestsPerMinute: num(poolRow.requests_per_minute),
      tokensPerMinute: num(poolRow.tokens_per_minute),
      tenantConcurrency: num(poolRow.tenant_concurrency),
      tenantRequestsPerMinute: num(poolRow.tenant_requests_per_minute),
      tenantTokensPerMinute: num(poolRow.tenant_tokens_per_minute),
    },
    agingPerSecond: Number(poolRow.aging_per_second),
    defaultDeadlineMs: Number(poolRow.default_deadline_ms),
    pausedUntil: num(poolRow.paused_until),
    rrCursor: (poolRow.rr_cursor as string | null) ?? null,
    vclock: Number(poolRow.vclock),
  };
  const shares = new Map<string, Share>();
  for (const r of rows(7)) {
    const key = r.agent_key === "" ? String(r.tenant_id) : `${String(r.tenant_id)}/${String(r.agent_key)}`;
    shares.set(key, { vtime: Number(r.vtime), clock: Number(r.clock) });
  }
  return {
    now: Number(head.now),
    failedHolders: Number(head.failed),
    pool,
    active: rows(4).map((r) => ({
      id: String(r.id),
      tenantId: String(r.tenant_id),
      agentKey: String(r.agent_key),
      priority: Number(r.priority),
      tokens: Number(r.tokens),
      deadline: num(r.deadline),
      enqueuedAt: Number(r.enqueued_at),
      state: r.state === "running" ? "running" : "queued",
    })),
    recent: rows(5).map((r) => ({
      tenantId: String(r.tenant_id),
      at: Number(r.granted_at),
      requests: Number(r.requests),
      tokens: Number(r.tokens),
    })),
    weights: new Map(rows(6).map((r) => [String(r.tenant_id), Number(r.weight)])),
    shares,
  };
}

export type GrantedRow = { id: string; holder: number; queuedMs: number };

/**
 * Writes a round's plan: the grants (only syscalls still queued), the policy's state, and one
 * notification per other process whose syscalls were granted (delivered when the round commits).
 */
export async function applyRound(
  client: pg.ClientBase,
  poolId: string,
  plan: RoundPlan,
  self: number,
): Promise<GrantedRow[]> {
  const shareRows = [...plan.shares].map(([key, share]) => {
    const [tenantId = "", agentKey = ""] = key.split(/\/(.*)/s);
    return { tenantId, agentKey, ...share };
  });
  const { rows } = await client.query<{ id: string; holder: number; queued_ms: number; notified: number }>(
    `WITH granted AS (
       UPDATE kernel.syscall SET state = 'running', granted_at = clock_timestamp(), attempts = attempts + 1,
              queued_ms = queued_ms + extract(epoch FROM clock_timestamp() - queued_since) * 1000
       WHERE id = ANY ($2::bigint[]) AND state = 'queued'
       RETURNING id, holder, queued_ms),
     pool AS (UPDATE kernel.pool SET rr_cursor = $3, vclock = $4 WHERE id = $1),
     shares AS (
       INSERT INTO kernel.share (pool_id, tenant_id, agent_key, vtime, clock)
       SELECT $1, t, a, v, c FROM unnest($5::uuid[], $6::text[], $7::float8[], $8::float8[]) AS u (t, a, v, c)
       ON CONFLICT (pool_id, tenant_id, agent_key) DO UPDATE SET vtime = excluded.vtime, clock = excluded.clock),
     notified AS (
       SELECT pg_notify('${CHANNEL}', 'g:' || holder || ':' || string_agg(id::text, ',')) FROM granted
       WHERE holder <> $9 GROUP BY holder)
     SELECT id::text, holder, queued_ms::float8 AS queued_ms, (SELECT count(*) FROM notified)::int AS notified
     FROM granted`,
    [
      poolId,
      plan.grants,
      plan.rrCursor,
      plan.vclock,
      shareRows.map((s) => s.tenantId),
      shareRows.map((s) => s.agentKey),
      shareRows.map((s) => s.vtime),
      shareRows.map((s) => s.clock),
      self,
    ],
  );
  return rows.map((r) => ({ id: r.id, holder: Number(r.holder), queuedMs: Number(r.queued_ms) }));
}

/** Syscalls that can never be dispatched fail with the reason; their processes are told. */
export async function refuseSyscalls(
  client: pg.ClientBase,
  refused: readonly { id: string; reason: string }[],
  self: number,
): Promise<{ id: string; holder: number; reason: string }[]> {
  const { rows } = await client.query<{ id: string; holder: number; error: string }>(
    `WITH refused AS (
       UPDATE kernel.syscall s SET state = 'failed', finished_at = clock_timestamp(), error = u.reason
       FROM unnest($1::bigint[], $2::text[]) AS u (id, reason)
       WHERE s.id = u.id AND s.state = 'queued' RETURNING s.id, s.holder, s.error),
     notified AS (
       SELECT pg_notify('${CHANNEL}', 'r:' || holder || ':' || string_agg(id::text, ',')) FROM refused
       WHERE holder <> $3 GROUP BY holder)
     SELECT id::text, holder, error, (SELECT count(*) FROM notified) AS n FROM refused`,
    [refused.map((r) => r.id), refused.map((r) => r.reason), self],
  );
  return rows.map((r) => ({ id: r.id, holder: Number(r.holder), reason: r.error }));
}

export type NewSyscall = {
  tenantId: string;
  agentKey: string;
  runId: string | null;
  label: string;
  priority: number;
  deadline: Date | null;
  tokens: number;
};

/** A syscall of this process that finished its attempt: its slot is free. */
export type Finished = { id: string; state: "done" | "failed"; error: string | null };

/**
 * This process's news since its last round, written at the start of the next one (group commit): the
 * syscalls it sent, in order (their ids returned in the same order), and those that finished, whose
 * slots the round then reuses. A success also ends the pool's 429 backoff.
 */
export async function writeEvents(
  sql: Sql,
  poolId: string,
  holder: number,
  inserts: readonly NewSyscall[],
  finished: readonly Finished[],
): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    `WITH inserted AS (
       INSERT INTO kernel.syscall (pool_id, tenant_id, agent_key, run_id, label, priority, deadline, tokens, holder)
       SELECT $1, t, a, r, l, p, d, k, $2
       FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::smallint[], $8::timestamptz[], $9::int[])
         WITH ORDINALITY AS u (t, a, r, l, p, d, k, n)
       ORDER BY n
       RETURNING id),
     finished AS (
       UPDATE kernel.syscall s SET state = f.state, finished_at = clock_timestamp(), error = f.error
       FROM unnest($10::bigint[], $11::text[], $12::text[]) AS f (id, state, error)
       WHERE s.id = f.id AND s.state = 'running'
       RETURNING f.state),
     recovered AS (
       UPDATE kernel.pool SET backoff_ms = 0
       WHERE id = $1 AND backoff_ms > 0 AND EXISTS (SELECT 1 FROM finished WHERE state = 'done'))
     SELECT id::text FROM inserted ORDER BY id`,
    [
      poolId,
      holder,
      inserts.map((s) => s.tenantId),
      inserts.map((s) => s.agentKey),
      inserts.map((s) => s.runId),
      inserts.map((s) => s.label),
      inserts.map((s) => s.priority),
      inserts.map((s) => s.deadline),
      inserts.map((s) => s.tokens),
      finished.map((f) => f.id),
      finished.map((f) => f.state),
      finished.map((f) => f.error),
    ],
  );
  return rows.map((r) => r.id);
}

/** Backoff after a 429 when the provider names no Retry-After: doubling from 250 ms to 30 s. */
const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;
/** Doubles only once per pause: the 429s of calls that were in flight together count as one refusal. */
const NEXT_BACKOFF = `CASE WHEN paused_until > clock_timestamp() THEN backoff_ms
  ELSE least(greatest(backoff_ms * 2, ${MIN_BACKOFF_MS}), ${MAX_BACKOFF_MS}) END`;

/**
 * The provider refused a granted syscall with 429: it goes back in the queue where it was (its
 * original arrival time still orders it) and the pool dispatches nothing until the provider's
 * Retry-After, or an exponential backoff when it gives none.
 */
export async function requeueRateLimited(sql: Sql, id: string, retryAfterMs: number | null): Promise<void> {
  await sql.query(
    `WITH s AS (
       UPDATE kernel.syscall SET state = 'queued', queued_since = clock_timestamp(), rate_limited = rate_limited + 1
       WHERE id = $1 AND state = 'running' RETURNING pool_id)
     UPDATE kernel.pool p SET rate_limited_total = rate_limited_total + 1, retries_total = retries_total + 1,
            backoff_ms = ${NEXT_BACKOFF},
            paused_until = greatest(coalesce(paused_until, clock_timestamp()),
              clock_timestamp() + make_interval(secs => coalesce($2::float8, ${NEXT_BACKOFF}) / 1000.0))
     WHERE p.id = (SELECT pool_id FROM s)`,
    [id, retryAfterMs],
  );
}

/**
 * Removes queued syscalls (those already running finish) and tells their processes, when the
 * transaction commits. Takes any Sql, so a domain function can cancel inside its own transaction.
 */
export async function cancelQueued(
  sql: Sql,
  where: { ids: string[] } | { tenantId: string; runId: string },
): Promise<{ id: string; holder: number }[]> {
  const condition = "ids" in where ? "id = ANY ($1::bigint[])" : "tenant_id = $1::uuid AND run_id = $2";
  const values = "ids" in where ? [where.ids] : [where.tenantId, where.runId];
  const rows = await sql.query<{ id: string; holder: number }>(
    `WITH cancelled AS (
       UPDATE kernel.syscall SET state = 'cancelled', finished_at = clock_timestamp(),
              queued_ms = queued_ms + extract(epoch FROM clock_timestamp() - queued_since) * 1000
       WHERE ${condition} AND state = 'queued' RETURNING id, holder),
     notified AS (
       SELECT pg_notify('${CHANNEL}', 'c:' || holder || ':' || string_agg(id::text, ',')) FROM cancelled GROUP BY holder)
     SELECT id::text, holder, (SELECT count(*) FROM notified)::int AS n FROM cancelled`,
    values,
  );
  return rows.map((r) => ({ id: r.id, holder: Number(r.holder) }));
}

/** Finished syscalls are kept this long, for the Kernel page's statistics. */
export const RETENTION_HOURS = 24;

export async function pruneFinished(client: pg.Pool): Promise<void> {
  await client.query(
    `DELETE FROM kernel.syscall WHERE finished_at < clock_timestamp() - interval '${RETENTION_HOURS} hours'`,
  );
}

/**
 * The durable queue: claiming jobs across engine processes, concurrency limits, and releasing the claims
 * of processes that died.
 *
 * Liveness: each engine process holds the advisory lock (LOCK_CLASS, its lock_key) on a connection of its
 * own. PostgreSQL drops the lock the moment that connection goes, so a process killed with -9 is seen as
 * dead at once (no heartbeat timeout) and its claimed jobs go back to the queue; the step it was calling
 * runs again, which is Inngest's at-least-once contract for an interrupted step.
 */
import { randomInt, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import pg from "pg";
import type { Conn, Db } from "./db";
import { transaction } from "./db";
import type { JobKind } from "./runs";

export const LOCK_CLASS = 7357;
export const JOB_CHANNEL = "engine_jobs";

export type Job = {
  id: number;
  run_id: string;
  kind: JobKind;
  step_id: string | null;
  attempt: number;
  concurrency_keys: string[];
  concurrency_limits: number[];
};

export type Worker = {
  id: string;
  /** The connection that holds the liveness lock; also LISTENs for new jobs. */
  connection: pg.Client;
  close: () => Promise<void>;
};

export async function registerWorker(connectionString: string, onJobs: () => void): Promise<Worker> {
  const connection = new pg.Client({ connectionString, application_name: "tenet-engine-worker" });
  await connection.connect();
  const id = randomUUID();
  for (;;) {
    const key = randomInt(1, 2 ** 31 - 1);
    const { rows } = await connection.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock($1, $2) AS locked",
      [LOCK_CLASS, key],
    );
    if (!rows[0]?.locked) continue;
    // The lock is taken before the row exists, so a row without its lock always means a dead process.
    const inserted = await connection.query(
      "INSERT INTO engine.worker (id, lock_key, host, pid) VALUES ($1, $2, $3, $4) ON CONFLICT (lock_key) DO NOTHING",
      [id, key, hostname(), process.pid],
    );
    if (inserted.rowCount === 1) break;
    await connection.query("SELECT pg_advisory_unlock($1, $2)", [LOCK_CLASS, key]);
  }
  connection.on("notification", onJobs);
  await connection.query(`LISTEN ${JOB_CHANNEL}`);
  return {
    id,
    connection,
    close: async () => {
      await connection.query("DELETE FROM engine.worker WHERE id = $1", [id]).catch(() => {});
      await connection.end().catch(() => {});
    },
  };
}

// pg_locks shows every database's locks; only this database's engine processes count.
const LIVE_WORKERS = `SELECT w.id FROM engine.worker w JOIN pg_locks l
  ON l.locktype = 'advisory' AND l.granted AND l.classid = ${LOCK_CLASS}::oid AND l.objid = w.lock_key::oid AND l.objsubid = 2
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/**
 * Releases jobs claimed by processes that are gone (or whose lease ran out) and forgets those processes.
 * Returns how many jobs went back to the queue.
 */
export async function releaseDeadClaims(db: Db): Promise<number> {
  return transaction(db, async (c) => {
    const dead = `claimed_by IS NOT NULL AND (claimed_until < now() OR claimed_by NOT IN (${LIVE_WORKERS}))`;
    // A released job whose successor is already queued (same purpose) is simply dropped.
    await c.query(
      `DELETE FROM engine.job d WHERE ${dead}
       AND EXISTS (SELECT 1 FROM engine.job u WHERE u.dedupe = d.dedupe AND u.claimed_by IS NULL)`,
    );
    const released = await c.query(
      `UPDATE engine.job SET claimed_by = NULL, claimed_until = NULL WHERE ${dead}`,
    );
    await c.query(
      `DELETE FROM engine.worker WHERE id NOT IN (${LIVE_WORKERS}) AND started_at < now() - interval '10 seconds'`,
    );
    if ((released.rowCount ?? 0) > 0) await c.query(`SELECT pg_notify('${JOB_CHANNEL}', '')`);
    return released.rowCount ?? 0;
  });
}

/**
 * Claims up to `limit` due jobs for `workerId`, in priority order, honouring concurrency limits: a call is
 * claimed only while fewer than its limit of calls with the same key are claimed anywhere. The count is
 * taken under a transaction-scoped advisory lock per key, so two processes cannot both take the last slot.
 * A run never has two discovery calls at once.
 */
export async function claimJobs(
  db: Db,
  workerId: string,
  limit: number,
  leaseSeconds: number,
): Promise<Job[]> {
  return transaction(db, async (c) => {
    const { rows } = await c.query<Job>(
      `SELECT j.id, j.run_id, j.kind, j.step_id, j.attempt, j.concurrency_keys, j.concurrency_limits
       FROM engine.job j
       WHERE j.claimed_by IS NULL AND j.available_at <= now()
         AND NOT (j.kind = 'call' AND j.step_id IS NULL AND EXISTS (
           SELECT 1 FROM engine.job o WHERE o.run_id = j.run_id AND o.claimed_by IS NOT NULL AND o.kind = 'call' AND o.step_id IS NULL))
         AND NOT EXISTS (
           SELECT 1 FROM unnest(j.concurrency_keys, j.concurrency_limits) AS k(key, lim)
           WHERE (SELECT count(*) FROM engine.job r WHERE r.claimed_by IS NOT NULL AND r.concurrency_keys @> ARRAY[k.key]) >= k.lim)
       ORDER BY j.sort_at, j.id
       LIMIT $1
       FOR UPDATE OF j SKIP LOCKED`,
      [limit],
    );
    if (rows.length === 0) return [];
    const accepted = await withinLimits(c, rows);
    if (accepted.length === 0) return [];
    await c.query(
      `UPDATE engine.job SET claimed_by = $1, claimed_until = now() + make_interval(secs => $2) WHERE id = ANY($3::bigint[])`,
      [workerId, leaseSeconds, accepted.map((j) => j.id)],
    );
    return accepted;
  });
}

async function withinLimits(c: Conn, jobs: Job[]): Promise<Job[]> {
  const keys = [...new Set(jobs.flatMap((j) => j.concurrency_keys))].sort();
  if (keys.length === 0) return jobs;
  // Sorted, so two processes lock keys in the same order and cannot deadlock.
  for (const key of keys) await c.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7357))", [key]);
  const { rows } = await c.query<{ key: string; running: number }>(
    `SELECT k AS key, count(*) AS running FROM engine.job, unnest(concurrency_keys) AS k
     WHERE claimed_by IS NOT NULL AND concurrency_keys && $1::text[] AND k = ANY($1::text[]) GROUP BY k`,
    [keys],
  );
  const used = new Map(rows.map((r) => [r.key, r.running]));
  const accepted: Job[] = [];
  for (const job of jobs) {
    const fits = job.concurrency_keys.every(
      (key, i) => (used.get(key) ?? 0) < (job.concurrency_limits[i] ?? Infinity),
    );
    if (!fits) continue;
    for (const key of job.concurrency_keys) used.set(key, (used.get(key) ?? 0) + 1);
    accepted.push(job);
  }
  return accepted;
}

/** When the next unclaimed job becomes due (null when the queue is empty). */
export async function nextDue(db: Db): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    "SELECT min(available_at) AS at FROM engine.job WHERE claimed_by IS NULL",
  );
  return rows[0]?.at ?? null;
}

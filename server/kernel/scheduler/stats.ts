import { sqlOf } from "@/server/db/sql";
import type { TenantContext } from "@/server/tenancy/context";
import { fairnessOf } from "./fairness";
import { canOperate, getPool } from "./pools";

/** What the Kernel page shows of one pool over a recent window. */
export type PoolStats = {
  poolId: string;
  windowMinutes: number;
  /** Waiting and running now, all tenants together. */
  queued: number;
  running: number;
  /** Syscalls finished per minute over the window. */
  throughputPerMinute: number;
  /** Jain's index over tenants of what each got against its weighted fair share (null: no demand). */
  fairness: number | null;
  /** Per tenant: every tenant for operators, the viewer's own tenant for everyone else. */
  tenants: TenantStats[];
  /** One point per minute, oldest first. */
  series: { minute: Date; granted: number; waitP95Ms: number | null; queueDepth: number }[];
};

export type TenantStats = {
  tenantId: string;
  name: string;
  weight: number;
  queued: number;
  running: number;
  served: number;
  waitP50Ms: number | null;
  waitP95Ms: number | null;
  waitP99Ms: number | null;
};

const SERIES_MINUTES = 30;

const n = (v: unknown) => Number(v ?? 0);
const ms = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function poolStats(
  ctx: TenantContext,
  input: { poolId: string; windowMinutes: number },
): Promise<PoolStats> {
  const pool = await getPool(ctx.db, input.poolId);
  const operator = await canOperate(ctx);
  const sql = sqlOf(ctx.db);
  const window = `${Math.round(input.windowMinutes)} minutes`;
  const tenantRows = await sql.query<Record<string, unknown>>(
    `SELECT s.tenant_id::text AS tenant_id,
       count(*) FILTER (WHERE state = 'queued')::int AS queued,
       count(*) FILTER (WHERE state = 'running')::int AS running,
       count(*) FILTER (WHERE state = 'done' AND finished_at > now() - $2::interval)::int AS served,
       count(*) FILTER (WHERE state IN ('queued', 'running') OR enqueued_at > now() - $2::interval
                          OR finished_at > now() - $2::interval)::int AS demanded,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY queued_ms) FILTER (WHERE granted_at > now() - $2::interval) AS p50,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY queued_ms) FILTER (WHERE granted_at > now() - $2::interval) AS p95,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY queued_ms) FILTER (WHERE granted_at > now() - $2::interval) AS p99,
       coalesce(max(w.weight), 1)::float8 AS weight
     FROM kernel.syscall s LEFT JOIN kernel.tenant_weight w ON w.pool_id = s.pool_id AND w.tenant_id = s.tenant_id
     WHERE s.pool_id = $1 AND (state IN ('queued', 'running') OR coalesce(finished_at, enqueued_at) > now() - $2::interval)
     GROUP BY s.tenant_id`,
    [pool.id, window],
  );
  const parties = tenantRows.map((r) => ({
    id: String(r.tenant_id),
    demand: n(r.demanded),
    served: n(r.served),
    weight: n(r.weight),
  }));
  const visible = operator ? tenantRows : tenantRows.filter((r) => r.tenant_id === ctx.tenantId);
  const names = new Map(
    (
      await sql.query<{ id: string; name: string }>(
        "SELECT id::text, name FROM kernel.tenant_names($1::uuid[])",
        [visible.map((r) => String(r.tenant_id))],
      )
    ).map((r) => [r.id, r.name]),
  );
  const series = await sql.query<Record<string, unknown>>(
    `WITH minutes AS (
       SELECT generate_series(date_trunc('minute', now()) - interval '${SERIES_MINUTES - 1} minutes',
                              date_trunc('minute', now()), interval '1 minute') AS minute)
     SELECT m.minute,
       (SELECT count(*) FROM kernel.syscall s WHERE s.pool_id = $1
          AND s.granted_at >= m.minute AND s.granted_at < m.minute + interval '1 minute')::int AS granted,
       (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY queued_ms) FROM kernel.syscall s WHERE s.pool_id = $1
          AND s.granted_at >= m.minute AND s.granted_at < m.minute + interval '1 minute') AS p95,
       (SELECT count(*) FROM kernel.syscall s WHERE s.pool_id = $1 AND s.enqueued_at <= m.minute + interval '1 minute'
          AND coalesce(s.granted_at, s.finished_at, 'infinity') > m.minute + interval '1 minute')::int AS depth
     FROM minutes m ORDER BY m.minute`,
    [pool.id],
  );
  const totalServed = parties.reduce((a, p) => a + p.served, 0);
  return {
    poolId: pool.id,
    windowMinutes: input.windowMinutes,
    queued: tenantRows.reduce((a, r) => a + n(r.queued), 0),
    running: tenantRows.reduce((a, r) => a + n(r.running), 0),
    throughputPerMinute: totalServed / input.windowMinutes,
    fairness: fairnessOf(parties),
    tenants: visible.map((r) => ({
      tenantId: String(r.tenant_id),
      name: names.get(String(r.tenant_id)) ?? "Unknown tenant",
      weight: n(r.weight),
      queued: n(r.queued),
      running: n(r.running),
      served: n(r.served),
      waitP50Ms: ms(r.p50),
      waitP95Ms: ms(r.p95),
      waitP99Ms: ms(r.p99),
    })),
    series: series.map((r) => ({
      minute: r.minute instanceof Date ? r.minute : new Date(0),
      granted: n(r.granted),
      waitP95Ms: ms(r.p95),
      queueDepth: n(r.depth),
    })),
  };
}

import { z } from "zod";
import type { Tx } from "@/server/db/client";
import { sqlOf, type Sql } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import { canManageAccess } from "@/server/tenancy/roles";
import { POLICIES, type Policy } from "./policy";
import { POOL_ID } from "./store";

/**
 * Resource pools: the shared resources syscalls queue for, with their policy and limits. Pools are
 * deployment-wide (one model endpoint serves every tenant), so only the platform's operators change
 * them: owners and admins of the operator tenant (`kernel.settings`). Every other tenant's owners and
 * admins see the pools and their own tenant's numbers, read-only.
 */

export const POOL_KINDS = ["model", "connector"] as const;

/** A whole number from 1 to `max`, with messages a form can show beside its field. */
const whole = (max: number, messages: { min?: string; max?: string } = {}) =>
  z
    .number({ error: "Enter a number" })
    .int("Use a whole number")
    .min(1, messages.min ?? "At least 1")
    .max(max, messages.max ?? `At most ${max.toLocaleString("en")}`);
/** A limit, or null for none. */
const limit = (max: number) => whole(max).nullable();

/** Everything an operator can change about a pool; each field validated with its reason. */
export const poolSettingsSchema = z.object({
  policy: z.enum(POLICIES, `Choose one of: ${POLICIES.join(", ")}`),
  concurrency: whole(100_000, { min: "At least one syscall must be able to run" }),
  requestsPerMinute: limit(10_000_000),
  tokensPerMinute: limit(1_000_000_000),
  tenantConcurrency: limit(100_000),
  tenantRequestsPerMinute: limit(10_000_000),
  tenantTokensPerMinute: limit(1_000_000_000),
  agingPerSecond: z
    .number({ error: "Enter a number" })
    .min(0, "Use 0 or more (0: no aging)")
    .max(1000, "At most 1,000 points a second"),
  defaultDeadlineMs: whole(86_400_000, { max: "At most a day (86,400,000 ms)" }),
});
export type PoolSettings = z.infer<typeof poolSettingsSchema>;

/** A tenant's weight under weighted fair share: its share of the pool relative to the others' (1 each unless set). */
export const tenantWeightSchema = z
  .number({ error: "Enter a number" })
  .positive("Use a weight above 0")
  .max(1000, "At most 1,000");

export type PoolDefinition = PoolSettings & { id: string; label: string; kind: (typeof POOL_KINDS)[number] };

export type Pool = PoolDefinition & {
  version: number;
  pausedUntil: Date | null;
  rateLimitedTotal: number;
  retriesTotal: number;
  updatedAt: Date;
};

/** A connector's pool until an operator tunes it: generous, first come first served per tenant. */
export const connectorPoolDefaults = (connector: string): PoolDefinition => ({
  id: `connector:${connector}`,
  label: `Connector ${connector}`,
  kind: "connector",
  policy: "fair_share",
  concurrency: 32,
  requestsPerMinute: null,
  tokensPerMinute: null,
  tenantConcurrency: null,
  tenantRequestsPerMinute: null,
  tenantTokensPerMinute: null,
  agingPerSecond: 0.5,
  defaultDeadlineMs: 60_000,
});

const POOL_COLUMNS = `id, label, kind, policy, concurrency, requests_per_minute, tokens_per_minute, tenant_concurrency,
  tenant_requests_per_minute, tenant_tokens_per_minute, aging_per_second, default_deadline_ms, version,
  paused_until, rate_limited_total::float8 AS rate_limited_total, retries_total::float8 AS retries_total, updated_at`;

type PoolRow = Record<string, unknown>;
const orNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toPool(r: PoolRow): Pool {
  return {
    id: String(r.id),
    label: String(r.label),
    kind: r.kind === "model" ? "model" : "connector",
    policy: r.policy as Policy,
    concurrency: Number(r.concurrency),
    requestsPerMinute: orNull(r.requests_per_minute),
    tokensPerMinute: orNull(r.tokens_per_minute),
    tenantConcurrency: orNull(r.tenant_concurrency),
    tenantRequestsPerMinute: orNull(r.tenant_requests_per_minute),
    tenantTokensPerMinute: orNull(r.tenant_tokens_per_minute),
    agingPerSecond: Number(r.aging_per_second),
    defaultDeadlineMs: Number(r.default_deadline_ms),
    version: Number(r.version),
    pausedUntil: r.paused_until instanceof Date ? r.paused_until : null,
    rateLimitedTotal: Number(r.rate_limited_total),
    retriesTotal: Number(r.retries_total),
    updatedAt: r.updated_at instanceof Date ? r.updated_at : new Date(0),
  };
}

/** Creates the pool with these settings unless it exists (an operator's settings are kept). */
export async function ensurePool(db: Sql, definition: PoolDefinition): Promise<void> {
  const d = { ...poolSettingsSchema.parse(definition), id: definition.id, label: definition.label };
  if (!POOL_ID.test(d.id)) throw new AppError("BAD_REQUEST", `Not a pool id: ${d.id}`);
  await db.query(
    `INSERT INTO kernel.pool (id, label, kind, policy, concurrency, requests_per_minute, tokens_per_minute,
       tenant_concurrency, tenant_requests_per_minute, tenant_tokens_per_minute, aging_per_second, default_deadline_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
    [
      d.id,
      d.label,
      definition.kind,
      d.policy,
      d.concurrency,
      d.requestsPerMinute,
      d.tokensPerMinute,
      d.tenantConcurrency,
      d.tenantRequestsPerMinute,
      d.tenantTokensPerMinute,
      d.agingPerSecond,
      d.defaultDeadlineMs,
    ],
  );
}

/** Whether the context's tenant is the one whose owners and admins operate the platform. */
export async function isOperatorTenant(db: Tx, tenantId: string): Promise<boolean> {
  const rows = await sqlOf(db).query<{ yes: boolean }>(
    "SELECT operator_tenant_id = $1::uuid AS yes FROM kernel.settings",
    [tenantId],
  );
  return rows[0]?.yes === true;
}

export async function canOperate(ctx: TenantContext): Promise<boolean> {
  return canManageAccess(ctx.actor.role) && (await isOperatorTenant(ctx.db, ctx.tenantId));
}

export async function listPools(ctx: TenantContext): Promise<{ pools: Pool[]; canEdit: boolean }> {
  const rows = await sqlOf(ctx.db).query<PoolRow>(
    `SELECT ${POOL_COLUMNS} FROM kernel.pool ORDER BY kind DESC, id`,
  );
  return { pools: rows.map(toPool), canEdit: await canOperate(ctx) };
}

export async function getPool(db: Tx, id: string): Promise<Pool> {
  const rows = await sqlOf(db).query<PoolRow>(`SELECT ${POOL_COLUMNS} FROM kernel.pool WHERE id = $1`, [id]);
  const row = rows[0];
  if (!row) throw new AppError("NOT_FOUND", "Resource pool not found");
  return toPool(row);
}

async function requireOperator(ctx: TenantContext) {
  if (!(await canOperate(ctx)))
    throw new AppError(
      "FORBIDDEN",
      "Resource pools are shared by every tenant: only the platform's operators change them",
    );
}

const COLUMN: Record<keyof PoolSettings, string> = {
  policy: "policy",
  concurrency: "concurrency",
  requestsPerMinute: "requests_per_minute",
  tokensPerMinute: "tokens_per_minute",
  tenantConcurrency: "tenant_concurrency",
  tenantRequestsPerMinute: "tenant_requests_per_minute",
  tenantTokensPerMinute: "tenant_tokens_per_minute",
  agingPerSecond: "aging_per_second",
  defaultDeadlineMs: "default_deadline_ms",
};

const conflict = () =>
  new AppError("CONFLICT", "Someone changed this pool since you opened it; reload to see their change");

/**
 * Changes a pool's policy and limits; the next dispatch round uses them. Optimistic: `version` must
 * be the one the operator saw, so two operators editing at once cannot silently undo each other.
 */
export async function updatePool(
  ctx: TenantContext,
  input: { id: string; version: number; settings: PoolSettings },
): Promise<Pool> {
  await requireOperator(ctx);
  const settings = poolSettingsSchema.parse(input.settings);
  const before = await getPool(ctx.db, input.id);
  if (before.version !== input.version) throw conflict();
  const changes: Record<string, { from: string | number | null; to: string | number | null }> = {};
  for (const key of Object.keys(COLUMN) as (keyof PoolSettings)[])
    if (before[key] !== settings[key]) changes[key] = { from: before[key], to: settings[key] };
  if (Object.keys(changes).length === 0) return before;

  const keys = Object.keys(COLUMN) as (keyof PoolSettings)[];
  // The version is checked again here: two saves that both read the same version before either wrote
  // would otherwise both pass the check above, and the second would undo the first.
  const rows = await sqlOf(ctx.db).query<PoolRow>(
    `UPDATE kernel.pool SET ${keys.map((k, i) => `${COLUMN[k]} = $${i + 4}`).join(", ")},
       version = version + 1, updated_at = now(), updated_by = $2::uuid
     WHERE id = $1 AND version = $3 RETURNING ${POOL_COLUMNS}`,
    [input.id, ctx.actor.userId, input.version, ...keys.map((k) => settings[k])],
  );
  const updated = rows[0];
  if (!updated) throw conflict();
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "kernel.pool_updated",
    resource: { type: "resource_pool", id: before.id, label: before.label },
    outcome: "succeeded",
    detail: { pool: before.label, changes },
  });
  return toPool(updated);
}

/** A tenant's weight in a pool under weighted fair share (1 unless set). */
export async function setTenantWeight(
  ctx: TenantContext,
  input: { poolId: string; tenantId: string; weight: number },
): Promise<void> {
  await requireOperator(ctx);
  const weight = tenantWeightSchema.parse(input.weight);
  const pool = await getPool(ctx.db, input.poolId);
  const sql = sqlOf(ctx.db);
  const [tenant] = await sql.query<{ name: string }>(
    "SELECT name FROM kernel.tenant_names(ARRAY[$1::uuid])",
    [input.tenantId],
  );
  if (!tenant) throw new AppError("NOT_FOUND", "Tenant not found");
  const [previous] = await sql.query<{ weight: number }>(
    "SELECT weight FROM kernel.tenant_weight WHERE pool_id = $1 AND tenant_id = $2::uuid",
    [pool.id, input.tenantId],
  );
  await sql.query(
    `INSERT INTO kernel.tenant_weight (pool_id, tenant_id, weight) VALUES ($1, $2::uuid, $3)
     ON CONFLICT (pool_id, tenant_id) DO UPDATE SET weight = excluded.weight`,
    [pool.id, input.tenantId, weight],
  );
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "kernel.pool_weight_set",
    resource: { type: "resource_pool", id: pool.id, label: pool.label },
    outcome: "succeeded",
    detail: { pool: pool.label, tenant: tenant.name, from: previous?.weight ?? 1, to: weight },
  });
}

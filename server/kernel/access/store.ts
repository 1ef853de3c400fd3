import type { Sql } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import { AccessEvaluator } from "./evaluator";
import type { Grant } from "./grants";

/**
 * The bridge between the database and the in-process evaluator: each process keeps every tenant's
 * parsed policy set, and reloads it when the tenant's access version (bumped by a trigger on every
 * policy, grant and agent change, in the same transaction) differs from the one it holds. That read
 * is one indexed row per syscall, and it is what makes a revocation take effect on the next syscall
 * in every process.
 */
export const liveEvaluator = new AccessEvaluator("live");

type GrantRow = {
  id: string;
  agentId: string;
  actions: string[];
  resourceType: string | null;
  resourceId: string | null;
  expiresAt: Date;
  revokedAt: Date | null;
};

export function toGrant(row: GrantRow): Grant {
  const resource =
    row.resourceType === null
      ? undefined
      : row.resourceId === null
        ? { type: row.resourceType }
        : { type: row.resourceType, id: row.resourceId };
  return {
    id: row.id,
    agentId: row.agentId,
    actions: row.actions,
    ...(resource ? { resource } : {}),
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
  };
}

/** The tenant's access version, 0 before anything was ever saved. */
export async function accessVersion(sql: Sql, tenantId: string): Promise<number> {
  const [row] = await sql.query<{ version: string }>(
    `SELECT version::text AS version FROM "AccessState" WHERE "tenantId" = $1::uuid`,
    [tenantId],
  );
  return Number(row?.version ?? 0);
}

/** Live grants (not revoked, not expired at `now`, of enabled agents), as the evaluator takes them. */
export async function liveGrants(sql: Sql, tenantId: string, now: Date): Promise<Grant[]> {
  const rows = await sql.query<{
    id: string;
    agentId: string;
    actions: string[];
    resourceType: string | null;
    resourceId: string | null;
    expiresMs: string;
  }>(
    `SELECT g.id::text AS id, g."agentId"::text AS "agentId", g.actions, g."resourceType", g."resourceId",
            (extract(epoch FROM g."expiresAt") * 1000)::bigint::text AS "expiresMs"
       FROM "AccessGrant" g JOIN "Agent" a ON a."tenantId" = g."tenantId" AND a.id = g."agentId"
      WHERE g."tenantId" = $1::uuid AND g."revokedAt" IS NULL AND g."expiresAt" > $2::timestamptz
        AND a."disabledAt" IS NULL
      ORDER BY g."createdAt"`,
    [tenantId, now.toISOString()],
  );
  return rows.map((row) => toGrant({ ...row, expiresAt: new Date(Number(row.expiresMs)), revokedAt: null }));
}

/** The policy text in force: the tenant's highest version. */
export async function currentPolicyText(sql: Sql, tenantId: string) {
  const [latest] = await sql.query<{ version: number; text: string }>(
    `SELECT version, text FROM "PolicyVersion" WHERE "tenantId" = $1::uuid ORDER BY version DESC LIMIT 1`,
    [tenantId],
  );
  // Failing closed: a tenant without policies has nothing to decide with (tenants.ts writes the pack).
  if (!latest) throw new AppError("INTERNAL", "This tenant has no access policies");
  return latest;
}

/**
 * Makes sure `evaluator` holds the tenant's current policies. The version is read before the data:
 * under READ COMMITTED the data may then be newer than the version, which only costs one extra
 * reload later; the other order could label old data with a new version and keep it forever.
 */
export async function ensureLoaded(
  sql: Sql,
  tenantId: string,
  now: Date,
  evaluator: AccessEvaluator = liveEvaluator,
  /** The version, when the caller already read it in this transaction (principals.ts loadDirectory). */
  knownVersion?: number,
): Promise<void> {
  const version = knownVersion ?? (await accessVersion(sql, tenantId));
  if (evaluator.version(tenantId) === version) return;
  const policy = await currentPolicyText(sql, tenantId);
  const grants = await liveGrants(sql, tenantId, now);
  evaluator.setPolicies(tenantId, { version, policyText: policy.text, grants }, now);
}

import type { Tx } from "@/server/db/client";
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
export async function accessVersion(tx: Tx, tenantId: string): Promise<number> {
  const state = await tx.accessState.findUnique({ where: { tenantId }, select: { version: true } });
  return Number(state?.version ?? 0n);
}

/** Live grants (not revoked, not expired at `now`), as the evaluator takes them. */
export async function liveGrants(tx: Tx, tenantId: string, now: Date): Promise<Grant[]> {
  const rows = await tx.accessGrant.findMany({
    where: { tenantId, revokedAt: null, expiresAt: { gt: now }, agent: { disabledAt: null } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map(toGrant);
}

/** The policy text in force: the tenant's highest version. */
export async function currentPolicyText(tx: Tx, tenantId: string) {
  const latest = await tx.policyVersion.findFirst({
    where: { tenantId },
    orderBy: { version: "desc" },
    select: { version: true, text: true },
  });
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
  tx: Tx,
  tenantId: string,
  now: Date,
  evaluator: AccessEvaluator = liveEvaluator,
  /** The version, when the caller already read it in this transaction (principals.ts loadDirectory). */
  knownVersion?: number,
): Promise<void> {
  const version = knownVersion ?? (await accessVersion(tx, tenantId));
  if (evaluator.version(tenantId) === version) return;
  const [policy, grants] = await Promise.all([
    currentPolicyText(tx, tenantId),
    liveGrants(tx, tenantId, now),
  ]);
  evaluator.setPolicies(tenantId, { version, policyText: policy.text, grants }, now);
}

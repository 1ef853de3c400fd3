/**
 * The scheduled check of a tenant's audit chain (workflow `audit-verify-chain`, run nightly for every
 * tenant): the same verification as the audit console's "Verify", with its outcome appended to the
 * tenant's own log, where the tenant's admins read it (`audit.chain_verified`).
 */
import type { PrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { appendAudit } from "./log";
import { verifyChain, type TamperReason, type VerifyResult } from "./verify";

/** A verification's outcome in plain JSON (it is a workflow step's memoized output). */
export type ChainCheck = {
  ok: boolean;
  checked: number;
  checkpoints: number;
  /** The last entry that verified, as a decimal string (seq is a bigint). */
  headSeq: string;
  firstBad: { seq: string; reason: TamperReason; message: string } | null;
  /** One sentence: "Chain intact: 12 entries verified" or where it broke. */
  message: string;
};

/** The console's one-line verdict (query.ts `verifyAuditLog` says the same). */
export function verificationMessage(result: VerifyResult, fromCheckpoint: bigint | null = null): string {
  if (result.firstBad) return `Chain broken at entry ${result.firstBad.seq}: ${result.firstBad.message}`;
  const entries = `${result.checked.toLocaleString("en")} ${result.checked === 1 ? "entry" : "entries"}`;
  const since = fromCheckpoint === null ? "" : ` since the signed checkpoint at entry ${fromCheckpoint}`;
  return `Chain intact: ${entries} verified${since}`;
}

/**
 * Verifies the tenant's whole chain and every signed checkpoint (null when there is no such tenant). The whole chain, not since the last
 * checkpoint: a nightly check is what catches an edit to old entries that nobody is looking at.
 */
export async function checkAuditChain(db: PrismaClient, tenantId: string): Promise<ChainCheck | null> {
  const result = await withTenant(db, { tenantId }, async (tx) =>
    // A tenant that does not exist has no chain to check (null), rather than an empty one that verifies.
    (await tx.tenant.count({ where: { id: tenantId } })) === 0 ? null : verifyChain(tx, tenantId),
  );
  if (!result) return null;
  return {
    ok: result.ok,
    checked: result.checked,
    checkpoints: result.checkpoints,
    headSeq: result.head.seq.toString(),
    firstBad: result.firstBad
      ? {
          seq: result.firstBad.seq.toString(),
          reason: result.firstBad.reason,
          message: result.firstBad.message,
        }
      : null,
    message: verificationMessage(result),
  };
}

/** The workflow that checked, as the log names it. */
export const CHAIN_CHECK_ACTOR_LABEL = "Nightly audit check";

/**
 * Appends the outcome as `audit.chain_verified` (succeeded, or failed when the chain is broken), by the
 * workflow, with the run that checked so an admin can open it on the Runs page.
 */
export async function recordAuditChainCheck(
  db: PrismaClient,
  tenantId: string,
  check: ChainCheck,
  by: { functionId: string; runId: string },
): Promise<{ seq: string }> {
  const record = await withTenant(db, { tenantId }, (tx) =>
    appendAudit(tx, tenantId, {
      actor: { type: "workflow", id: by.functionId, label: CHAIN_CHECK_ACTOR_LABEL },
      action: "audit.chain_verified",
      outcome: check.ok ? "succeeded" : "failed",
      detail: {
        checked: check.checked,
        checkpoints: check.checkpoints,
        headSeq: check.headSeq,
        firstBad: check.firstBad,
        runId: by.runId,
      },
    }),
  );
  return { seq: record.seq.toString() };
}

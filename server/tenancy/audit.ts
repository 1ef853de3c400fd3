import type { AuditEntryInput } from "@/server/kernel/audit/entry";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "./context";

/**
 * Records something a member did in the tenant's audit log, in the same transaction as the change
 * (ctx.db), so the log holds the change exactly when the database does.
 */
export async function recordMemberAction(
  ctx: TenantContext,
  event: Omit<AuditEntryInput, "actor" | "outcome"> & { outcome?: AuditEntryInput["outcome"] },
): Promise<void> {
  await appendAudit(ctx.db, ctx.tenantId, {
    outcome: "succeeded",
    ...event,
    actor: await userActor(ctx.db, ctx.actor.userId),
  });
}

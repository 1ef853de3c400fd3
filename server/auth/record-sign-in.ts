import type { PrismaClient } from "@/server/db/client";
import { withTenant, withUser } from "@/server/db/scope";
import { appendAudit, userActor } from "@/server/kernel/audit/log";

/**
 * Records a successful sign-in ("auth.signed_in") in the audit log of every tenant the user belongs
 * to: a sign-in is not tied to one tenant, and each tenant's admins should see who entered.
 * Called once per new session (server/auth/config.ts).
 */
export async function recordSignIn(
  db: PrismaClient,
  userId: string,
  ip: string | null | undefined,
): Promise<void> {
  const memberships = await withUser(db, userId, (tx) =>
    tx.membership.findMany({ where: { userId }, select: { tenantId: true } }),
  );
  // One transaction per tenant: each tenant's chain has its own lock, and one tenant's failure must
  // not leave another's entry half-written.
  for (const { tenantId } of memberships) {
    await withTenant(db, { tenantId, userId }, async (tx) => {
      await appendAudit(tx, tenantId, {
        actor: await userActor(tx, userId),
        action: "auth.signed_in",
        outcome: "succeeded",
        detail: { ip: ip ?? null },
      });
    });
  }
}

import type { Tx } from "@/server/db/client";
import { notFound } from "@/server/errors";
import type { Actor } from "@/server/tenancy/context";
import type { Role } from "@/server/tenancy/roles";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The actor for a person a connector call names (the submitter, the approver): an active member of
 * the tenant, with their role from the membership, never from the input. Someone who is not a member,
 * or whose membership an identity provider deactivated, cannot act.
 */
export async function memberActor(tx: Tx, tenantId: string, userId: string): Promise<Actor> {
  if (!UUID.test(userId)) throw notFound("Member not found");
  const membership = await tx.membership.findUnique({
    where: { tenantId_userId: { tenantId, userId } },
    select: { id: true, role: true, deactivatedAt: true },
  });
  if (!membership || membership.deactivatedAt) throw notFound("Member not found");
  return { userId, membershipId: membership.id, role: membership.role };
}

/** Who decides on expenses and purchases: the approver role, and owners and admins. */
export const FINANCE_APPROVERS: readonly Role[] = ["owner", "admin", "approver"];
/** Who keeps vendors and issues and receives purchase orders. */
export const FINANCE_MANAGERS: readonly Role[] = ["owner", "admin"];

/** A person's name for descriptions and exports, or their email when they have none. */
export async function memberLabels(tx: Tx, userIds: readonly string[]): Promise<Map<string, string>> {
  const users = await tx.user.findMany({
    where: { id: { in: [...new Set(userIds)] } },
    select: { id: true, name: true, email: true },
  });
  return new Map(users.map((u) => [u.id, u.name.trim() || u.email]));
}

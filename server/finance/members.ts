import type { Tx } from "@/server/db/client";
import type { Role } from "@/server/tenancy/roles";

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

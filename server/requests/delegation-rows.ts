/**
 * Escalation's delegations: when a level's deadline passes, the workflow (no person) lets the next
 * approver decide for an assignee on that one task. The kernel verifies such an approval exactly like a
 * person's own delegation (server/kernel/access/delegations.ts), so it is one row of the same table.
 */
import type { Tx } from "@/server/db/client";
import { sqlOf } from "@/server/db/sql";

export async function insertDelegation(
  tx: Tx,
  row: {
    tenantId: string;
    fromUserId: string;
    toUserId: string;
    startsAt: Date;
    reason: "escalated";
    taskId: string;
    note: string;
  },
): Promise<string> {
  const [inserted] = await sqlOf(tx).query<{ id: string }>(
    `INSERT INTO kernel.approval_delegation (tenant_id, from_user_id, to_user_id, starts_at, reason, task_id, note)
     VALUES ($1::uuid, $2::uuid, $3::uuid, $4::timestamptz, $5, $6::uuid, $7) RETURNING id::text`,
    [
      row.tenantId,
      row.fromUserId,
      row.toUserId,
      row.startsAt.toISOString(),
      row.reason,
      row.taskId,
      row.note.slice(0, 500),
    ],
  );
  if (!inserted) throw new Error("The delegation was not recorded");
  return inserted.id;
}

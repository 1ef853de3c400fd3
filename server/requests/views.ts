/** Rows of the requests schema as the pages see them, with people's names filled in. */
import type { Tx } from "@/server/db/client";
import { definitionOf } from "./catalog";
import type { DecisionRow, RequestRow, TaskRow } from "./store";
import type { PlanItemView, RequestSummaryView, TaskView } from "./types";

/** Names of users by id (former members included: a request outlives its requester's membership). */
export async function namesOf(tx: Tx, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const users = await tx.user.findMany({ where: { id: { in: unique } }, select: { id: true, name: true } });
  return new Map(users.map((u) => [u.id, u.name]));
}

export const nameIn = (names: Map<string, string>, id: string | null | undefined) =>
  (id ? names.get(id) : undefined) ?? "a former member";

export function summaryOf(row: RequestRow, names: Map<string, string>): RequestSummaryView {
  return {
    id: row.id,
    type: row.type,
    typeTitle: definitionOf(row.type).title,
    title: row.title,
    status: row.status,
    waitingFor: row.waiting_for,
    outcome: row.outcome,
    requester: { id: row.requester_id, name: nameIn(names, row.requester_id) },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function taskViewOf(
  task: TaskRow,
  decisions: readonly DecisionRow[],
  names: Map<string, string>,
): TaskView {
  return {
    id: task.id,
    level: task.level,
    name: task.name,
    approver: task.approver,
    required: task.required,
    status: task.status,
    assignees: task.assignees.map((a) => ({
      userId: a.userId,
      name: nameIn(names, a.userId),
      forName: a.forUserId ? nameIn(names, a.forUserId) : null,
    })),
    decisions: decisions
      .filter((d) => d.task_id === task.id)
      .map((d) => {
        const assignee = task.assignees.find((a) => a.userId === d.user_id);
        return {
          userId: d.user_id,
          name: nameIn(names, d.user_id),
          decision: d.decision,
          comment: d.comment,
          forName: assignee?.forUserId ? nameIn(names, assignee.forUserId) : null,
          via: d.via,
          at: d.created_at,
        };
      }),
    commentOnDeny: task.comment_on_deny,
    bulk: task.bulk_allowed,
    remindAt: task.remind_at,
    escalateAt: task.escalate_at,
    escalatedAt: task.escalated_at,
    createdAt: task.created_at,
    closedAt: task.closed_at,
  };
}

/** The people a task and its decisions name. */
export const taskPeople = (tasks: readonly TaskRow[], decisions: readonly DecisionRow[]) => [
  ...tasks.flatMap((t) => t.assignees.flatMap((a) => [a.userId, ...(a.forUserId ? [a.forUserId] : [])])),
  ...decisions.map((d) => d.user_id),
];

export const planOf = (row: RequestRow): PlanItemView[] | null =>
  Array.isArray(row.plan) ? (row.plan as PlanItemView[]) : null;

/** The "why" a requester gave, when their form has one. */
export function reasonOf(input: unknown): string | null {
  if (typeof input !== "object" || input === null) return null;
  const reason: unknown = Reflect.get(input, "reason");
  return typeof reason === "string" && reason.length > 0 ? reason : null;
}

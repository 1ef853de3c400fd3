/**
 * The requests schema's rows (migration 20261122100000_requests), read and written in the caller's
 * tenant transaction. Only server/requests uses this module; the rules live in the modules above it.
 */
import { z } from "zod";
import type { Tx } from "@/server/db/client";
import { sqlOf } from "@/server/db/sql";
import type { JsonValue } from "@/server/kernel/audit/canonical-json";
import { notFound } from "@/server/errors";
import {
  approverSchema,
  REQUEST_STATUSES,
  requestTypeSchema,
  type ApproverKind,
  type PlanItemView,
  type RequestStatus,
  type RequestType,
} from "./types";

export const TASK_STATUSES = ["open", "approved", "rejected", "expired", "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Who may decide a task: a person, or a delegate deciding for `forUserId` under `delegationId`. */
export const assigneeSchema = z.object({
  userId: z.string(),
  delegationId: z.string().optional(),
  forUserId: z.string().optional(),
});
export type Assignee = z.output<typeof assigneeSchema>;

const requestRow = z.object({
  id: z.string(),
  type: requestTypeSchema,
  requester_id: z.string(),
  title: z.string(),
  input: z.unknown(),
  status: z.enum(REQUEST_STATUSES),
  waiting_for: z.string().nullable(),
  plan: z.unknown(),
  outcome: z.string().nullable(),
  results: z.unknown(),
  run_id: z.string().nullable(),
  created_at: z.coerce.date(),
  updated_at: z.coerce.date(),
});
export type RequestRow = z.output<typeof requestRow>;

const REQUEST_COLUMNS = `id::text, type, requester_id::text, title, input, status, waiting_for, plan, outcome,
  results, run_id, created_at, updated_at`;

export async function insertRequest(
  tx: Tx,
  row: { tenantId: string; type: RequestType; requesterId: string; title: string; input: unknown },
): Promise<RequestRow> {
  const [created] = await sqlOf(tx).query(
    `INSERT INTO requests.request (tenant_id, type, requester_id, title, input)
     VALUES ($1::uuid, $2, $3::uuid, $4, $5::jsonb) RETURNING ${REQUEST_COLUMNS}`,
    [row.tenantId, row.type, row.requesterId, row.title, JSON.stringify(row.input)],
  );
  return requestRow.parse(created);
}

export async function findRequest(
  tx: Tx,
  tenantId: string,
  id: string,
  lock = false,
): Promise<RequestRow | null> {
  if (!z.uuid().safeParse(id).success) return null;
  const [row] = await sqlOf(tx).query(
    `SELECT ${REQUEST_COLUMNS} FROM requests.request WHERE tenant_id = $1::uuid AND id = $2::uuid${lock ? " FOR UPDATE" : ""}`,
    [tenantId, id],
  );
  return row === undefined ? null : requestRow.parse(row);
}

export async function getRequest(tx: Tx, tenantId: string, id: string, lock = false): Promise<RequestRow> {
  const row = await findRequest(tx, tenantId, id, lock);
  if (!row) throw notFound("Request not found");
  return row;
}

export async function listRequests(
  tx: Tx,
  tenantId: string,
  filter: { requesterId?: string; limit: number },
): Promise<RequestRow[]> {
  const rows = await sqlOf(tx).query(
    `SELECT ${REQUEST_COLUMNS} FROM requests.request
      WHERE tenant_id = $1::uuid AND ($2::uuid IS NULL OR requester_id = $2::uuid)
      ORDER BY created_at DESC, id LIMIT $3`,
    [tenantId, filter.requesterId ?? null, filter.limit],
  );
  return rows.map((r) => requestRow.parse(r));
}

export type RequestChange = {
  status?: RequestStatus;
  title?: string;
  waitingFor?: string | null;
  outcome?: string | null;
  plan?: PlanItemView[];
  results?: Record<string, unknown>;
  runId?: string;
};

export async function updateRequest(
  tx: Tx,
  tenantId: string,
  id: string,
  change: RequestChange,
): Promise<void> {
  const finished =
    change.status !== undefined && ["done", "rejected", "failed", "cancelled"].includes(change.status);
  await sqlOf(tx).query(
    `UPDATE requests.request SET
        status = coalesce($3, status),
        waiting_for = CASE WHEN $4::boolean THEN $5 ELSE waiting_for END,
        outcome = CASE WHEN $6::boolean THEN $7 ELSE outcome END,
        plan = coalesce($8::jsonb, plan),
        results = coalesce($9::jsonb, results),
        run_id = coalesce($10, run_id),
        title = coalesce($12, title),
        finished_at = CASE WHEN $11::boolean THEN now() ELSE finished_at END,
        updated_at = now()
      WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [
      tenantId,
      id,
      change.status ?? null,
      change.waitingFor !== undefined,
      change.waitingFor ?? null,
      change.outcome !== undefined,
      change.outcome?.slice(0, 2000) ?? null,
      change.plan === undefined ? null : JSON.stringify(change.plan),
      change.results === undefined ? null : JSON.stringify(change.results),
      change.runId ?? null,
      finished,
      change.title?.slice(0, 300) ?? null,
    ],
  );
}

// ─── Timeline ────────────────────────────────────────────────────────────────────────────────────

export async function appendTimeline(
  tx: Tx,
  tenantId: string,
  requestId: string,
  kind: string,
  message: string,
  detail?: Record<string, JsonValue>,
): Promise<void> {
  await sqlOf(tx).query(
    `INSERT INTO requests.timeline (tenant_id, request_id, kind, message, detail)
     VALUES ($1::uuid, $2::uuid, $3, $4, $5::jsonb)`,
    [tenantId, requestId, kind, message.slice(0, 2000), detail === undefined ? null : JSON.stringify(detail)],
  );
}

const timelineRow = z.object({
  id: z.string(),
  at: z.coerce.date(),
  kind: z.string(),
  message: z.string(),
  detail: z.unknown(),
});

export async function timelineOf(tx: Tx, tenantId: string, requestId: string) {
  const rows = await sqlOf(tx).query(
    `SELECT id::text, at, kind, message, detail FROM requests.timeline
      WHERE tenant_id = $1::uuid AND request_id = $2::uuid ORDER BY id`,
    [tenantId, requestId],
  );
  return rows.map((r) => timelineRow.parse(r));
}

// ─── Approval tasks ──────────────────────────────────────────────────────────────────────────────

const taskRow = z.object({
  id: z.string(),
  request_id: z.string(),
  level: z.number(),
  name: z.string(),
  approver: approverSchema,
  assignees: z.array(assigneeSchema),
  required: z.number(),
  comment_on_deny: z.boolean(),
  bulk_allowed: z.boolean(),
  status: z.enum(TASK_STATUSES),
  remind_at: z.coerce.date().nullable(),
  escalate_at: z.coerce.date().nullable(),
  reminded_at: z.coerce.date().nullable(),
  escalated_at: z.coerce.date().nullable(),
  created_at: z.coerce.date(),
  closed_at: z.coerce.date().nullable(),
});
export type TaskRow = z.output<typeof taskRow>;

const TASK_COLUMNS = `id::text, request_id::text, level, name, approver, assignees, required, comment_on_deny,
  bulk_allowed, status, remind_at, escalate_at, reminded_at, escalated_at, created_at, closed_at`;

export type NewTask = {
  tenantId: string;
  requestId: string;
  level: number;
  name: string;
  approver: ApproverKind;
  assignees: Assignee[];
  required: number;
  commentOnDeny: boolean;
  bulk: boolean;
  remindAt: Date | null;
  escalateAt: Date | null;
};

/** Opens a level's task; opening it again (a retried step) returns the one already there. */
export async function openTask(tx: Tx, task: NewTask): Promise<{ row: TaskRow; created: boolean }> {
  const [inserted] = await sqlOf(tx).query(
    `INSERT INTO requests.approval_task (tenant_id, request_id, level, name, approver, assignees, required,
        comment_on_deny, bulk_allowed, remind_at, escalate_at)
     VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11)
     ON CONFLICT (request_id, level) DO NOTHING RETURNING ${TASK_COLUMNS}`,
    [
      task.tenantId,
      task.requestId,
      task.level,
      task.name,
      task.approver,
      JSON.stringify(task.assignees),
      task.required,
      task.commentOnDeny,
      task.bulk,
      task.remindAt,
      task.escalateAt,
    ],
  );
  if (inserted !== undefined) return { row: taskRow.parse(inserted), created: true };
  const [existing] = await sqlOf(tx).query(
    `SELECT ${TASK_COLUMNS} FROM requests.approval_task WHERE tenant_id = $1::uuid AND request_id = $2::uuid AND level = $3`,
    [task.tenantId, task.requestId, task.level],
  );
  return { row: taskRow.parse(existing), created: false };
}

export async function findTask(
  tx: Tx,
  tenantId: string,
  taskId: string,
  lock = false,
): Promise<TaskRow | null> {
  if (!z.uuid().safeParse(taskId).success) return null;
  const [row] = await sqlOf(tx).query(
    `SELECT ${TASK_COLUMNS} FROM requests.approval_task WHERE tenant_id = $1::uuid AND id = $2::uuid${lock ? " FOR UPDATE" : ""}`,
    [tenantId, taskId],
  );
  return row === undefined ? null : taskRow.parse(row);
}

export async function tasksOf(tx: Tx, tenantId: string, requestId: string): Promise<TaskRow[]> {
  const rows = await sqlOf(tx).query(
    `SELECT ${TASK_COLUMNS} FROM requests.approval_task WHERE tenant_id = $1::uuid AND request_id = $2::uuid ORDER BY level`,
    [tenantId, requestId],
  );
  return rows.map((r) => taskRow.parse(r));
}

export async function updateTask(
  tx: Tx,
  tenantId: string,
  taskId: string,
  change: {
    status?: TaskStatus;
    assignees?: Assignee[];
    remindedAt?: Date;
    escalatedAt?: Date;
    escalateAt?: Date | null;
  },
): Promise<void> {
  await sqlOf(tx).query(
    `UPDATE requests.approval_task SET
        status = coalesce($3, status),
        assignees = coalesce($4::jsonb, assignees),
        reminded_at = coalesce($5, reminded_at),
        escalated_at = coalesce($6, escalated_at),
        escalate_at = CASE WHEN $7::boolean THEN $8 ELSE escalate_at END,
        closed_at = CASE WHEN $3 IS NOT NULL AND $3 <> 'open' THEN coalesce(closed_at, now()) ELSE closed_at END
      WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [
      tenantId,
      taskId,
      change.status ?? null,
      change.assignees === undefined ? null : JSON.stringify(change.assignees),
      change.remindedAt ?? null,
      change.escalatedAt ?? null,
      change.escalateAt !== undefined,
      change.escalateAt ?? null,
    ],
  );
}

/** Closes every open task of a request (it was cancelled or decided elsewhere). */
export async function closeOpenTasks(tx: Tx, tenantId: string, requestId: string, status: TaskStatus) {
  await sqlOf(tx).query(
    `UPDATE requests.approval_task SET status = $3, closed_at = now()
      WHERE tenant_id = $1::uuid AND request_id = $2::uuid AND status = 'open'`,
    [tenantId, requestId, status],
  );
}

// ─── Decisions ───────────────────────────────────────────────────────────────────────────────────

const decisionRow = z.object({
  id: z.string(),
  task_id: z.string(),
  user_id: z.string(),
  decision: z.enum(["approve", "deny"]),
  comment: z.string().nullable(),
  delegation_id: z.string().nullable(),
  via: z.enum(["inbox", "bulk", "email"]),
  created_at: z.coerce.date(),
});
export type DecisionRow = z.output<typeof decisionRow>;

export async function insertDecision(
  tx: Tx,
  row: {
    tenantId: string;
    taskId: string;
    userId: string;
    decision: "approve" | "deny";
    comment: string | null;
    delegationId: string | null;
    via: "inbox" | "bulk" | "email";
  },
): Promise<DecisionRow | null> {
  const [inserted] = await sqlOf(tx).query(
    `INSERT INTO requests.approval_decision (tenant_id, task_id, user_id, decision, comment, delegation_id, via)
     VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6::uuid, $7)
     ON CONFLICT (task_id, user_id) DO NOTHING
     RETURNING id::text, task_id::text, user_id::text, decision, comment, delegation_id::text, via, created_at`,
    [row.tenantId, row.taskId, row.userId, row.decision, row.comment, row.delegationId, row.via],
  );
  return inserted === undefined ? null : decisionRow.parse(inserted);
}

export async function decisionsOf(
  tx: Tx,
  tenantId: string,
  taskIds: readonly string[],
): Promise<DecisionRow[]> {
  if (taskIds.length === 0) return [];
  const rows = await sqlOf(tx).query(
    `SELECT id::text, task_id::text, user_id::text, decision, comment, delegation_id::text, via, created_at
       FROM requests.approval_decision WHERE tenant_id = $1::uuid AND task_id = ANY($2::uuid[]) ORDER BY created_at, id`,
    [tenantId, taskIds],
  );
  return rows.map((r) => decisionRow.parse(r));
}

// ─── Routing rules ───────────────────────────────────────────────────────────────────────────────

export async function storedRule(tx: Tx, tenantId: string, type: RequestType): Promise<unknown> {
  const [row] = await sqlOf(tx).query<{ rule: unknown }>(
    `SELECT rule FROM requests.routing_rule WHERE tenant_id = $1::uuid AND type = $2`,
    [tenantId, type],
  );
  return row?.rule ?? null;
}

export async function saveRule(tx: Tx, tenantId: string, type: RequestType, rule: unknown, userId: string) {
  await sqlOf(tx).query(
    `INSERT INTO requests.routing_rule (tenant_id, type, rule, updated_by) VALUES ($1::uuid, $2, $3::jsonb, $4::uuid)
     ON CONFLICT (tenant_id, type) DO UPDATE SET rule = EXCLUDED.rule, updated_by = EXCLUDED.updated_by, updated_at = now()`,
    [tenantId, type, JSON.stringify(rule), userId],
  );
}

export async function deleteRule(tx: Tx, tenantId: string, type: RequestType) {
  await sqlOf(tx).query(`DELETE FROM requests.routing_rule WHERE tenant_id = $1::uuid AND type = $2`, [
    tenantId,
    type,
  ]);
}

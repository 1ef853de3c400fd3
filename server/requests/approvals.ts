/**
 * The approver's side: the inbox, deciding (one click, a comment when denying where the rule asks for
 * one, bulk where allowed), deciding from a mailed link, and admins reassigning an open approval. A
 * decision is recorded in the database first and only then announced to the workflow, which re-reads
 * the task; so the database, not an event, says what was decided.
 */
import { z } from "zod";
import type { PrismaClient, Tx } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { AppError, checkedId, fieldError, notFound, parsed } from "@/server/errors";
import { activeDelegationsFrom, createDelegation } from "@/server/kernel/access/delegations";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import { consumeActionLink, readActionLink } from "@/server/mail/action-links";
import type { TenantContext } from "@/server/tenancy/context";
import { memberActor } from "@/server/tenancy/members";
import { canManageWorkflows } from "@/server/tenancy/roles";
import { notifyAssignees, DECIDE_PURPOSE } from "./notify";
import type { RequestDeps } from "./requests";
import {
  appendTimeline,
  decisionsOf,
  findTask,
  getRequest,
  insertDecision,
  updateRequest,
  updateTask,
  type Assignee,
  type TaskRow,
} from "./store";
import type { InboxItemView } from "./types";
import { nameIn, namesOf, planOf, reasonOf, summaryOf } from "./views";

export const decideInput = z.object({
  taskId: z.uuid("Not an approval id"),
  decision: z.enum(["approve", "deny"], "Choose approve or deny"),
  comment: z.string().trim().max(2000, "Use at most 2000 characters").optional(),
});
export const bulkDecideInput = z.object({
  taskIds: z
    .array(z.uuid("Not an approval id"))
    .min(1, "Choose at least one")
    .max(100, "At most 100 at once"),
  decision: z.literal("approve", "Only approvals can be given in bulk"),
});
export const reassignInput = z.object({
  taskId: z.uuid("Not an approval id"),
  fromUserId: z.uuid("Choose whose approval moves"),
  toUserId: z.uuid("Choose who decides instead"),
  note: z.string().trim().max(500, "Use at most 500 characters").optional(),
});

type Scope = Omit<TenantContext, "db">;

/**
 * How the actor may decide `task`: as an assignee (possibly a delegate the task already names), or as
 * the active delegate of someone the task names directly. Null: they may not.
 */
async function standing(
  tx: Tx,
  tenantId: string,
  task: TaskRow,
  userId: string,
  now: Date,
): Promise<Assignee | null> {
  const named = task.assignees.find((a) => a.userId === userId);
  if (named) return named;
  const direct = task.assignees.filter((a) => a.delegationId === undefined).map((a) => a.userId);
  for (const d of (await activeDelegationsFrom(tx, tenantId, direct, now, { taskId: task.id })).values())
    if (d.toUserId === userId) return { userId, delegationId: d.id, forUserId: d.fromUserId };
  return null;
}

/** An approval the actor may see: another tenant's, someone else's or a malformed id are all "not found". */
async function ownTask(tx: Tx, scope: Scope, taskId: string, now: Date) {
  const task = await findTask(tx, scope.tenantId, checkedId(taskId, "Approval"), true);
  if (!task) throw notFound("Approval not found");
  const as = await standing(tx, scope.tenantId, task, scope.actor.userId, now);
  if (!as) throw notFound("Approval not found");
  return { task, as };
}

export type DecideResult = { requestId: string; taskStatus: TaskRow["status"] };

async function record(
  db: PrismaClient,
  scope: Scope,
  input: z.output<typeof decideInput>,
  via: "inbox" | "bulk" | "email",
): Promise<DecideResult> {
  const now = new Date();
  return withTenant(db, { tenantId: scope.tenantId, userId: scope.actor.userId }, async (tx) => {
    const { task, as } = await ownTask(tx, scope, input.taskId, now);
    const request = await getRequest(tx, scope.tenantId, task.request_id, true);
    if (request.requester_id === scope.actor.userId)
      throw new AppError("FORBIDDEN", "Nobody approves their own request");
    if (task.status !== "open") throw new AppError("CONFLICT", `This approval is already ${task.status}`);
    if (via === "bulk" && !task.bulk_allowed)
      throw new AppError("BAD_REQUEST", `${task.name} approvals are decided one at a time`);
    const comment = input.comment?.length ? input.comment : null;
    if (input.decision === "deny" && task.comment_on_deny && comment === null)
      throw fieldError("comment", "Say why you deny it: the requester will see your comment");
    const decision = await insertDecision(tx, {
      tenantId: scope.tenantId,
      taskId: task.id,
      userId: scope.actor.userId,
      decision: input.decision,
      comment,
      delegationId: as.delegationId ?? null,
      via,
    });
    if (!decision) throw new AppError("CONFLICT", "You already decided on this approval");
    if (!task.assignees.some((a) => a.userId === as.userId))
      await updateTask(tx, scope.tenantId, task.id, { assignees: [...task.assignees, as] });
    const decisions = await decisionsOf(tx, scope.tenantId, [task.id]);
    const approvals = decisions.filter((d) => d.decision === "approve").length;
    const status = input.decision === "deny" ? "rejected" : approvals >= task.required ? "approved" : "open";
    if (status !== "open") await updateTask(tx, scope.tenantId, task.id, { status });
    const names = await namesOf(tx, [scope.actor.userId, ...(as.forUserId ? [as.forUserId] : [])]);
    const who = `${nameIn(names, scope.actor.userId)}${as.forUserId ? ` (for ${nameIn(names, as.forUserId)})` : ""}`;
    const count = task.required > 1 ? ` (${approvals} of ${task.required})` : "";
    await appendTimeline(
      tx,
      scope.tenantId,
      request.id,
      `approval.${input.decision === "approve" ? "approved" : "denied"}`,
      input.decision === "approve"
        ? `${who} approved${count} as ${task.name}${via === "email" ? " from the emailed link" : ""}`
        : `${who} denied as ${task.name}${comment ? `: ${comment}` : ""}`,
      { taskId: task.id, decision: input.decision, via },
    );
    if (input.decision === "approve" && status === "open")
      await updateRequest(tx, scope.tenantId, request.id, {
        waitingFor:
          `${request.waiting_for ?? ""}`.replace(/\(\d+ of \d+ approved\)$/, "").trim() +
          ` (${approvals} of ${task.required} approved)`,
      });
    await appendAudit(tx, scope.tenantId, {
      actor: await userActor(tx, scope.actor.userId),
      ...(as.forUserId ? { onBehalfOf: { id: as.forUserId, label: nameIn(names, as.forUserId) } } : {}),
      action: "approval.decided",
      resource: { type: "request", id: request.id, label: request.title },
      outcome: input.decision === "approve" ? "approved" : "rejected",
      detail: {
        level: task.name,
        decision: input.decision,
        via,
        ...(comment ? { comment } : {}),
        ...(as.delegationId ? { delegationId: as.delegationId } : {}),
      },
    });
    return { requestId: request.id, taskStatus: status };
  });
}

async function announce(deps: RequestDeps, tenantId: string, result: DecideResult, taskId: string) {
  // The decision is committed; if the engine cannot be told now, the run finds it at its next check.
  await deps
    .send({ name: "requests/approval.recorded", data: { tenantId, requestId: result.requestId, taskId } })
    .catch((error: unknown) =>
      console.error(`[requests] could not announce the decision on ${taskId}`, error),
    );
}

export async function decide(
  db: PrismaClient,
  scope: Scope,
  deps: RequestDeps,
  raw: z.input<typeof decideInput>,
): Promise<DecideResult> {
  const input = parsed(decideInput, raw);
  const result = await record(db, scope, input, "inbox");
  await announce(deps, scope.tenantId, result, input.taskId);
  return result;
}

/** Approves several at once; each succeeds or fails on its own, with the reason. */
export async function bulkDecide(
  db: PrismaClient,
  scope: Scope,
  deps: RequestDeps,
  raw: z.input<typeof bulkDecideInput>,
) {
  const input = parsed(bulkDecideInput, raw);
  const results: { taskId: string; ok: boolean; message: string | null }[] = [];
  for (const taskId of [...new Set(input.taskIds)]) {
    try {
      const result = await record(db, scope, { taskId, decision: "approve" }, "bulk");
      await announce(deps, scope.tenantId, result, taskId);
      results.push({ taskId, ok: true, message: null });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      results.push({ taskId, ok: false, message: error.message });
    }
  }
  return { results };
}

// ─── Inbox ───────────────────────────────────────────────────────────────────────────────────────

const OPEN_TASK_IDS = `
  SELECT t.id::text FROM requests.approval_task t
   WHERE t.tenant_id = $1::uuid AND t.status = 'open'
     AND ($2::uuid IS NULL OR (
       NOT EXISTS (SELECT 1 FROM requests.approval_decision d WHERE d.task_id = t.id AND d.user_id = $2::uuid)
       AND (t.assignees @> jsonb_build_array(jsonb_build_object('userId', $2::text))
         OR EXISTS (
           SELECT 1 FROM jsonb_array_elements(t.assignees) a
             JOIN kernel.approval_delegation g ON g.tenant_id = t.tenant_id AND g.from_user_id = (a->>'userId')::uuid
            WHERE a->>'delegationId' IS NULL AND g.to_user_id = $2::uuid AND g.revoked_at IS NULL
              AND g.starts_at <= now() AND (g.ends_at IS NULL OR g.ends_at > now())
              AND (g.task_id IS NULL OR g.task_id = t.id)))))
   ORDER BY t.created_at LIMIT 500`;

async function inboxItems(tx: Tx, scope: Scope, forUser: string | null): Promise<InboxItemView[]> {
  const ids = await sqlOf(tx).query<{ id: string }>(OPEN_TASK_IDS, [scope.tenantId, forUser]);
  const now = new Date();
  const items: InboxItemView[] = [];
  for (const { id } of ids) {
    const task = await findTask(tx, scope.tenantId, id);
    if (!task) continue;
    const request = await getRequest(tx, scope.tenantId, task.request_id);
    const as = forUser ? await standing(tx, scope.tenantId, task, forUser, now) : null;
    const decisions = await decisionsOf(tx, scope.tenantId, [task.id]);
    const names = await namesOf(tx, [request.requester_id, ...(as?.forUserId ? [as.forUserId] : [])]);
    items.push({
      taskId: task.id,
      request: summaryOf(request, names),
      levelName: task.name,
      approver: task.approver,
      required: task.required,
      approvals: decisions.filter((d) => d.decision === "approve").length,
      reason: reasonOf(request.input),
      plan: planOf(request) ?? [],
      commentOnDeny: task.comment_on_deny,
      bulk: task.bulk_allowed,
      forName: as?.forUserId ? nameIn(names, as.forUserId) : null,
      escalateAt: task.escalate_at,
    });
  }
  return items;
}

/** What the actor may decide now: their own approvals and those of people they stand in for. */
export const inbox = (ctx: TenantContext) => inboxItems(ctx.db, ctx, ctx.actor.userId);

/** Every open approval of the tenant, for owners and admins to reassign. */
export function openTasks(ctx: TenantContext): Promise<InboxItemView[]> {
  if (!canManageWorkflows(ctx.actor.role))
    throw new AppError("FORBIDDEN", "Only owners and admins see every approval");
  return inboxItems(ctx.db, ctx, null);
}

/**
 * Moves an open approval from one of its people to someone else (an admin's call: the approver left,
 * is swamped, or has a conflict of interest). The new person decides for the old one under a
 * delegation for this task, which the kernel verifies when the plan runs.
 */
export async function reassign(
  db: PrismaClient,
  scope: Scope,
  raw: z.input<typeof reassignInput>,
): Promise<void> {
  const input = parsed(reassignInput, raw);
  if (!canManageWorkflows(scope.actor.role))
    throw new AppError("FORBIDDEN", "Only owners and admins reassign approvals");
  const moved = await withTenant(db, { tenantId: scope.tenantId, userId: scope.actor.userId }, async (tx) => {
    const task = await findTask(tx, scope.tenantId, checkedId(input.taskId, "Approval"), true);
    if (!task) throw notFound("Approval not found");
    if (task.status !== "open") throw new AppError("CONFLICT", `This approval is already ${task.status}`);
    const from = task.assignees.find((a) => a.userId === input.fromUserId && a.delegationId === undefined);
    if (!from) throw fieldError("fromUserId", "Choose one of the people this approval is assigned to");
    const request = await getRequest(tx, scope.tenantId, task.request_id, true);
    if (input.toUserId === request.requester_id)
      throw fieldError("toUserId", "The person who asked cannot approve their own request");
    if (task.assignees.some((a) => a.userId === input.toUserId))
      throw fieldError("toUserId", "That person can already decide this approval");
    const actor = await memberActor(tx, scope.tenantId, scope.actor.userId);
    const delegation = await createDelegation(
      { tenantId: scope.tenantId, actor, db: tx },
      {
        fromUserId: input.fromUserId,
        toUserId: input.toUserId,
        reason: "reassigned",
        taskId: task.id,
        ...(input.note ? { note: input.note } : {}),
      },
    );
    const added: Assignee = {
      userId: input.toUserId,
      delegationId: delegation.id,
      forUserId: input.fromUserId,
    };
    const assignees = [...task.assignees.filter((a) => a !== from), added];
    await updateTask(tx, scope.tenantId, task.id, { assignees });
    const names = await namesOf(tx, [scope.actor.userId, input.fromUserId, input.toUserId]);
    await appendTimeline(
      tx,
      scope.tenantId,
      request.id,
      "approval.reassigned",
      `${nameIn(names, scope.actor.userId)} reassigned ${task.name} from ${nameIn(names, input.fromUserId)} to ${nameIn(names, input.toUserId)}${input.note ? `: ${input.note}` : ""}`,
      { taskId: task.id },
    );
    await updateRequest(tx, scope.tenantId, request.id, {
      waitingFor: `Waiting for ${nameIn(names, input.toUserId)} (for ${nameIn(names, input.fromUserId)}) (${task.name})`,
    });
    return { task: { ...task, assignees }, request, added };
  });
  await notifyAssignees(db, scope.tenantId, moved.request, moved.task, [moved.added], "requested");
}

// ─── Mailed links ────────────────────────────────────────────────────────────────────────────────

export type LinkPreview =
  | { state: "unknown" | "expired" | "used"; message: string }
  | {
      state: "valid";
      decision: "approve" | "deny";
      item: InboxItemView;
      tenantSlug: string;
      commentOnDeny: boolean;
    };

const linkDecision = z.object({ decision: z.enum(["approve", "deny"]) });

const LINK_STATES = {
  unknown: "This link is not valid.",
  expired: "This link has expired. Open your approvals inbox to decide.",
  used: "This link was already used.",
} as const;

/**
 * What a mailed link would do, for its confirmation page; nothing is decided until the person confirms.
 * The signed-in user must be the person the link was mailed to (and a member of the tenant).
 */
export async function previewLink(db: PrismaClient, token: string, userId: string): Promise<LinkPreview> {
  const reading = await readActionLink(db, token);
  if (reading.state !== "valid") return { state: reading.state, message: LINK_STATES[reading.state] };
  const { link } = reading;
  if (link.purpose !== DECIDE_PURPOSE || link.userId !== userId)
    return { state: "unknown", message: LINK_STATES.unknown };
  const { decision } = linkDecision.parse(link.payload);
  return withTenant(db, { tenantId: link.tenantId, userId }, async (tx) => {
    const actor = await memberActor(tx, link.tenantId, userId).catch(() => null);
    if (!actor) return { state: "unknown", message: LINK_STATES.unknown };
    const [item] = (await inboxItems(tx, { tenantId: link.tenantId, actor }, userId)).filter(
      (i) => i.taskId === link.subjectId,
    );
    const tenant = await tx.tenant.findUnique({ where: { id: link.tenantId }, select: { slug: true } });
    if (!item || !tenant) return { state: "used", message: "This approval was already decided." };
    return { state: "valid", decision, item, tenantSlug: tenant.slug, commentOnDeny: item.commentOnDeny };
  });
}

/** Uses a mailed link once, after its confirmation page: records the decision as if made in the inbox. */
export async function decideByLink(
  db: PrismaClient,
  deps: RequestDeps,
  token: string,
  userId: string,
  comment?: string,
): Promise<DecideResult> {
  // What would refuse the decision is checked before the link is spent, so a missing comment can be
  // given and the link used again; the decision itself is checked once more when it is recorded.
  const preview = await previewLink(db, token, userId);
  if (preview.state === "valid" && preview.decision === "deny" && preview.commentOnDeny && !comment?.trim())
    throw fieldError("comment", "Say why you deny it: the requester will see your comment");
  const link = await consumeActionLink(db, token, userId);
  if (link.purpose !== DECIDE_PURPOSE) throw new AppError("BAD_REQUEST", LINK_STATES.unknown);
  const { decision } = linkDecision.parse(link.payload);
  const actor = await withTenant(db, { tenantId: link.tenantId, userId }, (tx) =>
    memberActor(tx, link.tenantId, userId),
  );
  const scope = { tenantId: link.tenantId, actor };
  const result = await record(
    db,
    scope,
    parsed(decideInput, { taskId: link.subjectId, decision, comment }),
    "email",
  );
  await announce(deps, link.tenantId, result, link.subjectId);
  return result;
}

/**
 * The steps of a request's workflow (server/workflows/functions/requests.ts calls each from one
 * `step.run`): plan, open a level, check it, remind, time out, carry out one plan step, finish. Each
 * reads the request's state from the database and may be retried: a step that finds the request
 * already past it does nothing, a task is opened once per level, and every connector call carries an
 * idempotency key, so a retried step never repeats an effect.
 */
import type { PrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { AppError } from "@/server/errors";
import { approverWords } from "@/server/kernel/access/approval";
import { recordDelegation } from "@/server/kernel/access/delegations";
import type { ApprovalRef } from "@/server/kernel/access/principals";
import { loadMembers } from "@/server/kernel/access/principals";
import { ACTION_INFO } from "@/server/kernel/access/schema";
import { appendAudit } from "@/server/kernel/audit/log";
import type { JsonValue } from "@/server/kernel/audit/canonical-json";
import type { Kernel, KernelContext, Syscall, SyscallPreview, SyscallResult } from "@/server/kernel/kernel";
import { definitionOf } from "./catalog";
import { withOutputs, type PlanStep, type Prepared, type Requester } from "./definition";
import { notifyAssignees, notifyRequester } from "./notify";
import { assigneesFor, chainOf, directApprovers, membersWithRole, ruleFor } from "./routing";
import {
  appendTimeline,
  closeOpenTasks,
  decisionsOf,
  findTask,
  getRequest,
  openTask,
  tasksOf,
  updateRequest,
  updateTask,
  type Assignee,
  type RequestRow,
  type TaskRow,
} from "./store";
import { durationMs, isFinal, type ApproverKind, type Level, type PlanItemView } from "./types";

export type RunDeps = { db: () => PrismaClient; kernel: Kernel; now?: () => Date };

const nowOf = (deps: RunDeps) => deps.now?.() ?? new Date();

/** What the workflow needs to know after planning: the chain to walk, or that the request ended. */
export type Planned =
  { outcome: "approve"; levels: Level[]; steps: PlanStep[] } | { outcome: "stopped"; status: string };

type Loaded = { request: RequestRow; requester: Requester; prepared: Prepared };

/** The request, its requester and its plan steps, built again from the submitted form. */
async function load(deps: RunDeps, tenantId: string, requestId: string): Promise<Loaded> {
  return withTenant(deps.db(), { tenantId }, async (tx) => {
    const request = await getRequest(tx, tenantId, requestId);
    const member = (await loadMembers(tx, tenantId, [request.requester_id])).get(request.requester_id);
    if (!member)
      throw new AppError("BAD_REQUEST", "The person who asked is no longer a member of this tenant");
    const requester = { id: member.id, name: member.name, email: member.email };
    const definition = definitionOf(request.type);
    const input = definition.form.safeParse(request.input);
    if (!input.success)
      throw new AppError(
        "BAD_REQUEST",
        `The form no longer validates: ${input.error.issues[0]?.message ?? "bad input"}`,
      );
    const prepared = await definition.prepare({ tx, tenantId, requester }, input.data);
    return { request, requester, prepared };
  });
}

const userCtx = (tenantId: string, userId: string): KernelContext => ({
  tenantId,
  principal: { type: "user", userId },
});

function planItem(step: PlanStep, preview: SyscallPreview): PlanItemView {
  return {
    key: step.key,
    action: preview.action,
    connector: preview.connector,
    effect: preview.effect,
    reversible: preview.reversible,
    description: preview.description,
    changes: preview.changes.map((c) => ({ kind: c.op, summary: `${c.op} ${c.object}` })),
    warnings: preview.warnings,
    decision: preview.decision.decision,
    reasons: preview.decision.reasons,
  };
}

function unbuiltItem(step: PlanStep, description: string, decision: string): PlanItemView {
  const { action } = step.syscall;
  return {
    key: step.key,
    action,
    connector: action.split(".")[0] ?? "",
    effect: ACTION_INFO[action].effect,
    reversible: false,
    description,
    changes: [],
    warnings: [],
    decision,
    reasons: [],
  };
}

const reasonText = (preview: SyscallPreview) =>
  preview.decision.reasons.length > 0 ? ` (policy ${preview.decision.reasons.join(", ")})` : "";

/**
 * Validates, authorizes and plans: previews every step the requester takes (decision + dry run), builds
 * the approval chain, and previews the steps approvers take as the first of them would. A denied step
 * rejects the request here, before anyone is asked to approve.
 */
export async function planRequest(
  deps: RunDeps,
  tenantId: string,
  requestId: string,
  runId: string,
): Promise<Planned> {
  const db = deps.db();
  const current = await withTenant(db, { tenantId }, (tx) => getRequest(tx, tenantId, requestId));
  if (current.status !== "submitted" && current.status !== "planning")
    return { outcome: "stopped", status: current.status };
  if (current.status === "submitted")
    await withTenant(db, { tenantId }, async (tx) => {
      await updateRequest(tx, tenantId, requestId, { status: "planning", runId });
      await appendTimeline(
        tx,
        tenantId,
        requestId,
        "workflow.started",
        "Workflow started: checking the request and planning",
      );
    });
  let loaded: Loaded;
  try {
    loaded = await load(deps, tenantId, requestId);
  } catch (error) {
    if (error instanceof AppError) return stop(deps, tenantId, requestId, "failed", error.message);
    throw error;
  }
  const { requester, prepared } = loaded;
  const items: PlanItemView[] = [];
  const floor: ApproverKind[] = [];
  for (const step of prepared.steps.filter((s) => s.as === "requester")) {
    if (step.describeBefore !== undefined) {
      items.push(unbuiltItem(step, step.describeBefore, "after_approval"));
      continue;
    }
    const preview = await previewStep(deps, userCtx(tenantId, requester.id), step.syscall);
    if (typeof preview === "string") return stop(deps, tenantId, requestId, "failed", preview);
    items.push(planItem(step, preview));
    await recordDecision(deps, tenantId, requestId, requester.name, preview);
    if (preview.decision.decision === "deny")
      return stop(
        deps,
        tenantId,
        requestId,
        "rejected",
        `Not allowed: ${preview.description}${reasonText(preview)}`,
      );
    if (preview.decision.decision === "require-approval") floor.push(...(preview.decision.approvers ?? []));
  }
  const levels = await withTenant(db, { tenantId }, async (tx) =>
    chainOf(
      await ruleFor(tx, tenantId, loaded.request.type),
      prepared.requiredLevels ?? [],
      [
        ...floor,
        ...prepared.steps.flatMap((s) => (s.as !== "requester" && !s.as.optional ? [s.as.approver] : [])),
      ],
      prepared.amountCents,
    ),
  );
  for (const level of levels) {
    const people = await withTenant(db, { tenantId }, (tx) =>
      directApprovers(tx, tenantId, level.approver, requester),
    );
    if (people.length === 0)
      return stop(
        deps,
        tenantId,
        requestId,
        "failed",
        level.approver === "manager"
          ? `Nobody can approve as ${requester.name}'s manager: HR has no manager for them. Ask HR to set one.`
          : `Nobody but ${requester.name} can approve as ${approverWords(level.approver)} (${level.name}).`,
      );
    if (people.length < level.required)
      return stop(
        deps,
        tenantId,
        requestId,
        "failed",
        `${level.name} needs ${level.required} approvals, but only ${people.length} people can give them.`,
      );
  }
  for (const step of prepared.steps) {
    if (step.as === "requester") continue;
    const { approver } = step.as;
    const index = prepared.steps.indexOf(step);
    const level = levels.find((l) => l.approver === approver);
    if (!level) {
      const who = approverWords(approver).replace(/^(a|an) /, "");
      items.splice(
        index,
        0,
        unbuiltItem(
          step,
          `${step.describeBefore ?? step.key}: left to ${who}s, outside this request`,
          "skipped",
        ),
      );
      continue;
    }
    if (step.describeBefore !== undefined) {
      const line = `${step.describeBefore}, as the ${level.name.toLowerCase()} approver`;
      items.splice(index, 0, unbuiltItem(step, line, "after_approval"));
      continue;
    }
    const [first] = await withTenant(db, { tenantId }, (tx) =>
      directApprovers(tx, tenantId, approver, requester),
    );
    const preview = await previewStep(deps, userCtx(tenantId, first ?? requester.id), step.syscall);
    if (typeof preview === "string") return stop(deps, tenantId, requestId, "failed", preview);
    items.splice(index, 0, planItem(step, preview));
    await recordDecision(deps, tenantId, requestId, `the ${level.name.toLowerCase()} approver`, preview);
    if (preview.decision.decision === "deny")
      return stop(
        deps,
        tenantId,
        requestId,
        "rejected",
        `${level.name} could not ${preview.description}${reasonText(preview)}`,
      );
  }
  await withTenant(db, { tenantId }, async (tx) => {
    await updateRequest(tx, tenantId, requestId, { plan: items, title: prepared.title });
    await appendTimeline(
      tx,
      tenantId,
      requestId,
      "plan.ready",
      levels.length === 0
        ? `Planned ${items.length} action${items.length === 1 ? "" : "s"}; no approval needed`
        : `Planned ${items.length} action${items.length === 1 ? "" : "s"}; approvals: ${levels.map((l) => l.name).join(" → ")}`,
      { actions: items.map((i) => `${i.description} (${i.effect}${i.reversible ? ", reversible" : ""})`) },
    );
  });
  return { outcome: "approve", levels, steps: prepared.steps };
}

async function previewStep(
  deps: RunDeps,
  ctx: KernelContext,
  syscall: Syscall,
): Promise<SyscallPreview | string> {
  try {
    return await deps.kernel.preview(ctx, syscall);
  } catch (error) {
    if (error instanceof AppError)
      return `Could not plan ${syscall.resourceLabel ?? syscall.action}: ${error.message}`;
    throw error;
  }
}

async function recordDecision(
  deps: RunDeps,
  tenantId: string,
  requestId: string,
  who: string,
  preview: SyscallPreview,
) {
  const words = {
    allow: "allowed",
    deny: "denied",
    "require-approval": `needs approval from ${(preview.decision.approvers ?? []).map(approverWords).join(" and ")}`,
  }[preview.decision.decision];
  await withTenant(deps.db(), { tenantId }, (tx) =>
    appendTimeline(
      tx,
      tenantId,
      requestId,
      "kernel.decision",
      `Kernel: ${preview.description} for ${who}: ${words}${reasonText(preview)}`,
      {
        syscallId: preview.syscallId,
        decision: preview.decision.decision,
        reasons: preview.decision.reasons,
      },
    ),
  );
}

/** Ends the request with `status` and says why, to its timeline, its requester and the audit log. */
async function stop(
  deps: RunDeps,
  tenantId: string,
  requestId: string,
  status: "failed" | "rejected" | "cancelled",
  outcome: string,
): Promise<Planned> {
  await finish(deps, tenantId, requestId, status, outcome);
  return { outcome: "stopped", status };
}

export async function finish(
  deps: RunDeps,
  tenantId: string,
  requestId: string,
  status: "done" | "failed" | "rejected" | "cancelled",
  outcome: string,
  results?: Record<string, unknown>,
): Promise<void> {
  const request = await withTenant(deps.db(), { tenantId }, async (tx) => {
    const row = await getRequest(tx, tenantId, requestId, true);
    if (isFinal(row.status)) return null;
    await updateRequest(tx, tenantId, requestId, {
      status,
      outcome,
      waitingFor: null,
      ...(results === undefined ? {} : { results }),
    });
    await closeOpenTasks(tx, tenantId, requestId, "cancelled");
    await appendTimeline(tx, tenantId, requestId, `request.${status}`, outcome);
    const requester = (await loadMembers(tx, tenantId, [row.requester_id])).get(row.requester_id);
    await appendAudit(tx, tenantId, {
      actor: { type: "workflow", id: row.run_id, label: `Request: ${definitionOf(row.type).title}` },
      onBehalfOf: { id: row.requester_id, label: requester?.name ?? "a former member" },
      action: `request.${status}`,
      resource: { type: "request", id: row.id, label: row.title },
      outcome:
        status === "done"
          ? "succeeded"
          : status === "rejected"
            ? "rejected"
            : status === "failed"
              ? "failed"
              : "recorded",
      detail: { type: row.type, title: row.title, outcome },
    });
    return row;
  });
  if (request) await notifyRequester(deps.db(), tenantId, request, status, outcome);
}

// ─── Approval levels ─────────────────────────────────────────────────────────────────────────────

export type OpenedLevel =
  | { outcome: "open"; taskId: string; remindAt: string | null; decideAt: string | null }
  | { outcome: "stopped" };

function waitingWords(
  level: Level,
  assignees: readonly Assignee[],
  people: Map<string, { name: string }>,
): string {
  const who = assignees
    .map((a) => {
      const name = people.get(a.userId)?.name ?? "someone";
      return a.forUserId ? `${name} (for ${people.get(a.forUserId)?.name ?? "someone"})` : name;
    })
    .join(", ");
  const many = level.required > 1 ? `${level.required} of ` : "";
  return `Waiting for ${many}${who} (${level.name})`;
}

/** Opens the task of level `index` for its assignees (and their delegates) and tells them. */
export async function openLevel(
  deps: RunDeps,
  tenantId: string,
  requestId: string,
  index: number,
  level: Level,
): Promise<OpenedLevel> {
  const now = nowOf(deps);
  const opened = await withTenant(deps.db(), { tenantId }, async (tx) => {
    const request = await getRequest(tx, tenantId, requestId, true);
    if (isFinal(request.status)) return null;
    const requester = (await loadMembers(tx, tenantId, [request.requester_id])).get(request.requester_id);
    const asker = { id: request.requester_id, name: requester?.name ?? "", email: requester?.email ?? "" };
    const assignees = await assigneesFor(tx, tenantId, level.approver, asker, now);
    const { row, created } = await openTask(tx, {
      tenantId,
      requestId,
      level: index,
      name: level.name,
      approver: level.approver,
      assignees,
      required: level.required,
      commentOnDeny: level.commentOnDeny,
      bulk: level.bulk,
      remindAt: level.sla ? new Date(now.getTime() + durationMs(level.sla.remindAfter)) : null,
      escalateAt: level.sla ? new Date(now.getTime() + durationMs(level.sla.decideAfter)) : null,
    });
    const people = await loadMembers(tx, tenantId, [
      ...row.assignees.flatMap((a) => [a.userId, a.forUserId ?? a.userId]),
    ]);
    const waitingFor = waitingWords(level, row.assignees, people);
    if (created) {
      await updateRequest(tx, tenantId, requestId, { status: "waiting", waitingFor });
      await appendTimeline(tx, tenantId, requestId, "approval.requested", `${waitingFor}`, {
        taskId: row.id,
        level: index,
        approver: level.approver,
        ...(row.escalate_at ? { deadline: row.escalate_at.toISOString() } : {}),
      });
    }
    return { row, request, created };
  });
  if (!opened) return { outcome: "stopped" };
  if (opened.created)
    await notifyAssignees(deps.db(), tenantId, opened.request, opened.row, opened.row.assignees, "requested");
  return {
    outcome: "open",
    taskId: opened.row.id,
    remindAt: opened.row.remind_at?.toISOString() ?? null,
    decideAt: opened.row.escalate_at?.toISOString() ?? null,
  };
}

export type TaskState = { status: TaskRow["status"]; escalated: boolean; decideAt: string | null };

export async function taskState(deps: RunDeps, tenantId: string, taskId: string): Promise<TaskState> {
  return withTenant(deps.db(), { tenantId }, async (tx) => {
    const task = await findTask(tx, tenantId, taskId);
    if (!task) throw new AppError("NOT_FOUND", "Approval task not found");
    return {
      status: task.status,
      escalated: task.escalated_at !== null,
      decideAt: task.escalate_at?.toISOString() ?? null,
    };
  });
}

/** Who has not decided yet gets a reminder. */
export async function remind(deps: RunDeps, tenantId: string, taskId: string): Promise<void> {
  const found = await withTenant(deps.db(), { tenantId }, async (tx) => {
    const task = await findTask(tx, tenantId, taskId, true);
    if (!task || task.status !== "open" || task.reminded_at) return null;
    const decided = new Set((await decisionsOf(tx, tenantId, [task.id])).map((d) => d.user_id));
    const pending = task.assignees.filter((a) => !decided.has(a.userId));
    await updateTask(tx, tenantId, task.id, { remindedAt: nowOf(deps) });
    const people = await loadMembers(
      tx,
      tenantId,
      pending.map((a) => a.userId),
    );
    await appendTimeline(
      tx,
      tenantId,
      task.request_id,
      "approval.reminded",
      `Reminded ${pending.map((a) => people.get(a.userId)?.name ?? "someone").join(", ")} (${task.name})`,
      { taskId: task.id },
    );
    return { task, pending, request: await getRequest(tx, tenantId, task.request_id) };
  });
  if (found) await notifyAssignees(deps.db(), tenantId, found.request, found.task, found.pending, "reminder");
}

/**
 * The level's deadline passed. Its rule says what happens: escalate (once: to each assignee's own
 * manager, else to the tenant's admins, who decide for the assignee under a task-scoped delegation the
 * kernel verifies), approve, reject or cancel. An escalated level that times out again expires.
 */
export async function timeOut(
  deps: RunDeps,
  tenantId: string,
  taskId: string,
  level: Level,
): Promise<"escalated" | "approved" | "rejected" | "cancelled" | "decided"> {
  const now = nowOf(deps);
  const sla = level.sla;
  const result = await withTenant(deps.db(), { tenantId }, async (tx) => {
    const task = await findTask(tx, tenantId, taskId, true);
    if (!task) throw new AppError("NOT_FOUND", "Approval task not found");
    if (task.status !== "open") return { outcome: "decided" as const };
    const request = await getRequest(tx, tenantId, task.request_id, true);
    const after = sla ? ` after ${sla.decideAfter}` : "";
    const onTimeout = task.escalated_at ? "reject" : (sla?.onTimeout ?? "reject");
    if (onTimeout === "escalate") {
      const direct = task.assignees.filter((a) => a.delegationId === undefined).map((a) => a.userId);
      const managers = await loadMembers(tx, tenantId, direct);
      const taken = new Set([request.requester_id, ...task.assignees.map((a) => a.userId)]);
      const targets: { from: string; to: string }[] = [];
      for (const from of direct) {
        const boss = managers.get(from)?.managerId;
        if (boss && !taken.has(boss)) {
          targets.push({ from, to: boss });
          taken.add(boss);
        }
      }
      if (targets.length === 0 && direct[0] !== undefined) {
        const from = direct[0];
        for (const admin of await membersWithRole(tx, tenantId, "admin"))
          if (!taken.has(admin)) {
            targets.push({ from, to: admin });
            taken.add(admin);
          }
      }
      if (targets.length > 0) {
        const added: Assignee[] = [];
        for (const t of targets) {
          const delegationId = await recordDelegation(tx, tenantId, {
            fromUserId: t.from,
            toUserId: t.to,
            startsAt: now,
            endsAt: null,
            reason: "escalated",
            taskId: task.id,
            note: `${task.name} had no decision${after}`,
            createdBy: null,
          });
          added.push({ userId: t.to, delegationId, forUserId: t.from });
        }
        const assignees = [...task.assignees, ...added];
        const escalateAt = sla ? new Date(now.getTime() + durationMs(sla.decideAfter)) : null;
        await updateTask(tx, tenantId, task.id, { assignees, escalatedAt: now, escalateAt });
        const people = await loadMembers(
          tx,
          tenantId,
          added.flatMap((a) => [a.userId, a.forUserId ?? a.userId]),
        );
        const message = `No decision${after}: escalated to ${added
          .map(
            (a) =>
              `${people.get(a.userId)?.name ?? "someone"} (for ${people.get(a.forUserId ?? "")?.name ?? "someone"})`,
          )
          .join(", ")}`;
        await appendTimeline(tx, tenantId, request.id, "approval.escalated", message, { taskId: task.id });
        await updateRequest(tx, tenantId, request.id, {
          waitingFor: waitingWords(
            level,
            assignees,
            await loadMembers(
              tx,
              tenantId,
              assignees.flatMap((a) => [a.userId, a.forUserId ?? a.userId]),
            ),
          ),
        });
        await appendAudit(tx, tenantId, {
          actor: {
            type: "workflow",
            id: request.run_id,
            label: `Request: ${definitionOf(request.type).title}`,
          },
          action: "approval.escalated",
          resource: { type: "request", id: request.id, label: request.title },
          outcome: "recorded",
          detail: { level: task.name, to: added.map((a) => people.get(a.userId)?.name ?? "someone") },
        });
        return { outcome: "escalated" as const, task, request, added };
      }
    }
    const final = onTimeout === "escalate" ? "reject" : onTimeout;
    await updateTask(tx, tenantId, task.id, {
      status: final === "approve" ? "approved" : final === "cancel" ? "cancelled" : "expired",
    });
    await appendTimeline(
      tx,
      tenantId,
      request.id,
      `approval.timed_out`,
      final === "approve"
        ? `No decision${after}: ${task.name} approved automatically, as the rule says`
        : final === "cancel"
          ? `No decision${after}: the request is cancelled, as the rule says`
          : `No decision${after}: ${task.name} expired`,
      { taskId: task.id },
    );
    return {
      outcome:
        final === "approve"
          ? ("approved" as const)
          : final === "cancel"
            ? ("cancelled" as const)
            : ("rejected" as const),
    };
  });
  if (result.outcome === "escalated") {
    await notifyAssignees(deps.db(), tenantId, result.request, result.task, result.added, "escalated");
    return "escalated";
  }
  return result.outcome;
}

/** The outcome of a decided level in words, for the request's end: "Denied by Fiona (Finance): over budget". */
export async function levelOutcome(deps: RunDeps, tenantId: string, taskId: string): Promise<string> {
  return withTenant(deps.db(), { tenantId }, async (tx) => {
    const task = await findTask(tx, tenantId, taskId);
    if (!task) throw new AppError("NOT_FOUND", "Approval task not found");
    const decisions = await decisionsOf(tx, tenantId, [task.id]);
    const denial = decisions.find((d) => d.decision === "deny");
    if (!denial) return `${task.name}: no decision in time`;
    const who = (await loadMembers(tx, tenantId, [denial.user_id])).get(denial.user_id)?.name ?? "someone";
    return `Denied by ${who} (${task.name})${denial.comment ? `: ${denial.comment}` : ""}`;
  });
}

// ─── Carrying out the plan ───────────────────────────────────────────────────────────────────────

/** The chain's approvals as the kernel verifies them, and whose authority each approver kind carries. */
export type Authority = { approvals: ApprovalRef[]; byApprover: Partial<Record<ApproverKind, string>> };

export async function authorityOf(deps: RunDeps, tenantId: string, requestId: string): Promise<Authority> {
  return withTenant(deps.db(), { tenantId }, async (tx) => {
    const tasks = (await tasksOf(tx, tenantId, requestId)).filter((t) => t.status === "approved");
    const decisions = await decisionsOf(
      tx,
      tenantId,
      tasks.map((t) => t.id),
    );
    const approvals: ApprovalRef[] = [];
    const byApprover: Partial<Record<ApproverKind, string>> = {};
    for (const task of tasks)
      for (const d of decisions.filter((x) => x.task_id === task.id && x.decision === "approve")) {
        const assignee = task.assignees.find((a) => a.userId === d.user_id);
        approvals.push({
          approver: task.approver,
          userId: d.user_id,
          ...(d.delegation_id ? { delegationId: d.delegation_id } : {}),
        });
        byApprover[task.approver] = assignee?.forUserId ?? d.user_id;
      }
    return { approvals, byApprover };
  });
}

export type StepOutcome =
  { status: "succeeded"; output: JsonValue } | { status: "skipped" } | { status: "stopped" };

/**
 * Carries out plan step `index` through the kernel. A connector failure throws, so the engine retries
 * the step (the idempotency key makes that safe) and, once retries are spent, the function's failure
 * handler fails the request. A denial or a conflict is final and fails the request at once.
 */
export async function executeStep(
  deps: RunDeps,
  tenantId: string,
  requestId: string,
  step: PlanStep,
  prior: Record<string, JsonValue>,
  authority: Authority,
  attempt: number,
): Promise<StepOutcome> {
  const requesterId = await withTenant(deps.db(), { tenantId }, async (tx) => {
    const request = await getRequest(tx, tenantId, requestId, true);
    if (isFinal(request.status)) return null;
    if (request.status !== "running") {
      await updateRequest(tx, tenantId, requestId, { status: "running", waitingFor: null });
      await appendTimeline(tx, tenantId, requestId, "request.approved", "Approved: carrying out the plan");
    }
    return request.requester_id;
  });
  if (requesterId === null) return { status: "stopped" };
  const principal = step.as === "requester" ? requesterId : authority.byApprover[step.as.approver];
  if (principal === undefined) {
    await withTenant(deps.db(), { tenantId }, (tx) =>
      appendTimeline(
        tx,
        tenantId,
        requestId,
        "step.skipped",
        `Skipped: ${step.describeBefore ?? step.key} (no such approver in this chain)`,
      ),
    );
    return { status: "skipped" };
  }
  const syscall = withOutputs(step.syscall, prior);
  const result: SyscallResult = await deps.kernel.call(userCtx(tenantId, principal), {
    ...syscall,
    approvals: step.as === "requester" ? authority.approvals : [],
    idempotencyKey: `request:${requestId}:${step.key}`,
  });
  const label = syscall.resourceLabel ?? syscall.action;
  const record = (kind: string, message: string, detail: Record<string, JsonValue>) =>
    withTenant(deps.db(), { tenantId }, (tx) =>
      appendTimeline(tx, tenantId, requestId, kind, message, detail),
    );
  switch (result.status) {
    case "succeeded":
      await record("step.succeeded", `Done: ${ACTION_INFO[syscall.action].label} — ${label}`, {
        syscallId: result.syscallId,
        action: syscall.action,
        reasons: result.reasons,
      });
      return { status: "succeeded", output: toJson(result.output) };
    case "failed":
      await record("step.failed", `${label}: ${result.error} (attempt ${attempt + 1})`, {
        syscallId: result.syscallId,
        action: syscall.action,
        retryable: result.retryable,
      });
      if (!result.retryable) {
        // The system of record refused (a conflict, a rule of its own): asking again changes nothing.
        await finish(deps, tenantId, requestId, "failed", `${label}: ${result.error}`);
        return { status: "stopped" };
      }
      throw new Error(`${label}: ${result.error}`);
    case "conflict":
      await finish(
        deps,
        tenantId,
        requestId,
        "failed",
        `Conflict: ${label} is already taken${result.resource.includes("@") ? " at that time" : ""} by ${result.heldBy.label ?? "another request"}. Nothing was done; choose another time or ${syscall.resource.type.toLowerCase()}.`,
      );
      return { status: "stopped" };
    case "denied":
      await finish(
        deps,
        tenantId,
        requestId,
        "failed",
        `The kernel denied ${label}: ${result.explanation ?? result.reasons.join(", ")}`,
      );
      return { status: "stopped" };
    case "approval_required":
      await finish(
        deps,
        tenantId,
        requestId,
        "failed",
        `${label} still needs approval from ${result.approvers.map(approverWords).join(" and ")}; the approvals given were not enough.`,
      );
      return { status: "stopped" };
  }
}

const toJson = (value: unknown): JsonValue => JSON.parse(JSON.stringify(value ?? null)) as JsonValue;

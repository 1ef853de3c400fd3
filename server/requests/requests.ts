/**
 * What people do with their requests: submit one (checked against its type's form, then handed to the
 * type's workflow), follow theirs, read one with its plan, approvals and timeline, cancel one that has
 * not started its work yet.
 */
import { z } from "zod";
import type { PrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { AppError, checkedId, notFound, parsed } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import { canManageWorkflows } from "@/server/tenancy/roles";
import { definitionOf } from "./catalog";
import {
  appendTimeline,
  closeOpenTasks,
  decisionsOf,
  getRequest,
  insertRequest,
  listRequests,
  tasksOf,
  timelineOf,
  updateRequest,
  type RequestRow,
} from "./store";
import {
  isFinal,
  requestTypeSchema,
  type RequestDetailView,
  type RequestSummaryView,
  type RequestType,
} from "./types";
import { namesOf, planOf, summaryOf, taskPeople, taskViewOf } from "./views";

/** How domain code reaches the workflow engine: routes pass `(event) => inngest.send(event)`. */
export type RequestDeps = {
  send: (event: { name: string; data: Record<string, unknown> }) => Promise<unknown>;
};

export const submitInput = z.object({ type: requestTypeSchema, input: z.unknown() });
export const requestIdInput = z.object({ requestId: z.uuid("Not a request id") });
export const myRequestsInput = z
  .object({ limit: z.number().int().min(1).max(200).default(50) })
  .default({ limit: 50 });
export const cancelInput = z.object({
  requestId: z.uuid("Not a request id"),
  reason: z.string().trim().max(1000, "Use at most 1000 characters").optional(),
});

/** Owners and admins, or people who manage someone in HR: who may start onboarding and offboarding. */
export async function isManagerOrHr(ctx: TenantContext): Promise<boolean> {
  if (canManageWorkflows(ctx.actor.role)) return true;
  const rows = await sqlOf(ctx.db).query(
    `SELECT 1 FROM hr.employee e JOIN hr.employee boss ON boss.tenant_id = e.tenant_id AND boss.id = e.manager_id
      WHERE e.tenant_id = $1::uuid AND boss.user_id = $2::uuid AND e.status <> 'terminated' LIMIT 1`,
    [ctx.tenantId, ctx.actor.userId],
  );
  return rows.length > 0;
}

export async function mayAsk(ctx: TenantContext, type: RequestType): Promise<boolean> {
  return definitionOf(type).audience === "everyone" || (await isManagerOrHr(ctx));
}

/**
 * Files a request of `type` for the actor and starts its workflow. The form is checked here (bad input:
 * field errors, nothing written); the workflow checks it again and plans. If the workflow engine cannot
 * be reached the request is marked failed and the caller told so.
 */
export async function submitRequest(
  db: PrismaClient,
  ctx: Omit<TenantContext, "db">,
  deps: RequestDeps,
  raw: z.input<typeof submitInput>,
): Promise<RequestSummaryView> {
  const { type, input } = parsed(submitInput, raw);
  const definition = definitionOf(type);
  const form = parsed(definition.form, input);
  const row = await withTenant(db, { tenantId: ctx.tenantId, userId: ctx.actor.userId }, async (tx) => {
    if (!(await mayAsk({ ...ctx, db: tx }, type)))
      throw new AppError("FORBIDDEN", `${definition.title} requests are for managers and HR`);
    const created = await insertRequest(tx, {
      tenantId: ctx.tenantId,
      type,
      requesterId: ctx.actor.userId,
      title: definition.title,
      input: form,
    });
    await appendTimeline(tx, ctx.tenantId, created.id, "request.submitted", `Submitted: ${definition.title}`);
    await appendAudit(tx, ctx.tenantId, {
      actor: await userActor(tx, ctx.actor.userId),
      action: "request.submitted",
      resource: { type: "request", id: created.id, label: definition.title },
      outcome: "recorded",
      detail: { type, title: definition.title },
    });
    return created;
  });
  try {
    await deps.send({
      name: "requests/request.submitted",
      data: { tenantId: ctx.tenantId, requestId: row.id, type },
    });
  } catch (cause) {
    await withTenant(db, { tenantId: ctx.tenantId }, async (tx) => {
      await updateRequest(tx, ctx.tenantId, row.id, {
        status: "failed",
        outcome: "The workflow engine could not be reached; nothing was done. Try again.",
      });
      await appendTimeline(
        tx,
        ctx.tenantId,
        row.id,
        "request.failed",
        "The workflow engine could not be reached",
      );
    });
    throw new AppError(
      "UNAVAILABLE",
      "The workflow engine cannot be reached right now; your request was not started. Try again in a moment.",
      { cause },
    );
  }
  return withTenant(db, { tenantId: ctx.tenantId }, async (tx) =>
    summaryOf(await getRequest(tx, ctx.tenantId, row.id), await namesOf(tx, [row.requester_id])),
  );
}

export async function myRequests(
  ctx: TenantContext,
  raw: z.input<typeof myRequestsInput>,
): Promise<RequestSummaryView[]> {
  const { limit } = parsed(myRequestsInput, raw);
  const rows = await listRequests(ctx.db, ctx.tenantId, { requesterId: ctx.actor.userId, limit });
  const names = await namesOf(ctx.db, [ctx.actor.userId]);
  return rows.map((r) => summaryOf(r, names));
}

/**
 * Whether the actor may see a request: its requester, anyone asked to decide it (or who did), and owners
 * and admins. Everyone else gets "not found", as for another tenant's id.
 */
async function visible(ctx: TenantContext, id: string): Promise<RequestRow> {
  const request = await getRequest(ctx.db, ctx.tenantId, checkedId(id, "Request"));
  if (request.requester_id === ctx.actor.userId || canManageWorkflows(ctx.actor.role)) return request;
  const tasks = await tasksOf(ctx.db, ctx.tenantId, request.id);
  const decisions = await decisionsOf(
    ctx.db,
    ctx.tenantId,
    tasks.map((t) => t.id),
  );
  if (taskPeople(tasks, decisions).includes(ctx.actor.userId)) return request;
  throw notFound("Request not found");
}

export async function requestDetail(ctx: TenantContext, requestId: string): Promise<RequestDetailView> {
  const request = await visible(ctx, requestId);
  const tasks = await tasksOf(ctx.db, ctx.tenantId, request.id);
  const decisions = await decisionsOf(
    ctx.db,
    ctx.tenantId,
    tasks.map((t) => t.id),
  );
  const names = await namesOf(ctx.db, [request.requester_id, ...taskPeople(tasks, decisions)]);
  const timeline = await timelineOf(ctx.db, ctx.tenantId, request.id);
  return {
    ...summaryOf(request, names),
    input: request.input,
    plan: planOf(request),
    results: request.results,
    runId: request.run_id,
    tasks: tasks.map((t) => taskViewOf(t, decisions, names)),
    timeline: timeline.map((e) => ({
      id: e.id,
      at: e.at,
      kind: e.kind,
      message: e.message,
      detail: e.detail,
    })),
    canCancel: cancellable(ctx, request),
  };
}

const cancellable = (ctx: TenantContext, request: RequestRow) =>
  (request.requester_id === ctx.actor.userId || canManageWorkflows(ctx.actor.role)) &&
  ["submitted", "planning", "waiting"].includes(request.status);

/**
 * Cancels a request before its work starts: its open approvals close, its run stops where it waits. Once
 * the plan is being carried out it cannot be cancelled (its effects may already be in the world).
 */
export async function cancelRequest(
  db: PrismaClient,
  ctx: Omit<TenantContext, "db">,
  deps: RequestDeps,
  raw: z.input<typeof cancelInput>,
): Promise<RequestSummaryView> {
  const input = parsed(cancelInput, raw);
  const row = await withTenant(db, { tenantId: ctx.tenantId, userId: ctx.actor.userId }, async (tx) => {
    const scoped = { ...ctx, db: tx };
    await visible(scoped, input.requestId);
    const request = await getRequest(tx, ctx.tenantId, input.requestId, true);
    if (request.requester_id !== ctx.actor.userId && !canManageWorkflows(ctx.actor.role))
      throw new AppError("FORBIDDEN", "Only the person who asked, or an admin, can cancel a request");
    if (isFinal(request.status)) throw new AppError("CONFLICT", `This request is already ${request.status}`);
    if (request.status === "running")
      throw new AppError(
        "CONFLICT",
        "This request is already being carried out and can no longer be cancelled",
      );
    const actor = await userActor(tx, ctx.actor.userId);
    const outcome = `Cancelled by ${actor.label}${input.reason ? `: ${input.reason}` : ""}`;
    await updateRequest(tx, ctx.tenantId, request.id, { status: "cancelled", outcome, waitingFor: null });
    await closeOpenTasks(tx, ctx.tenantId, request.id, "cancelled");
    await appendTimeline(tx, ctx.tenantId, request.id, "request.cancelled", outcome);
    await appendAudit(tx, ctx.tenantId, {
      actor,
      action: "request.cancelled",
      resource: { type: "request", id: request.id, label: request.title },
      outcome: "recorded",
      detail: { type: request.type, title: request.title, outcome },
    });
    return getRequest(tx, ctx.tenantId, request.id);
  });
  // The request is cancelled in the database whatever happens next; the event only stops the run early.
  await deps
    .send({ name: "requests/request.cancelled", data: { tenantId: ctx.tenantId, requestId: row.id } })
    .catch((error: unknown) =>
      console.error(`[requests] could not tell the engine that ${row.id} was cancelled`, error),
    );
  return withTenant(db, { tenantId: ctx.tenantId }, async (tx) =>
    summaryOf(row, await namesOf(tx, [row.requester_id])),
  );
}

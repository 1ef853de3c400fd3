import type { Prisma, Tx } from "@/server/db/client";
import { AppError, fieldError, notFound } from "@/server/errors";
import type { TenantContext } from "@/server/tenancy/context";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import { loadAgent } from "./agents";
import { grantScope } from "./grants";
import { loadMembers } from "./principals";
import { ACTION_INFO, isActionName, resourceLabel, type ActionName } from "./schema";

/** Grants are time-boxed: the longest an admin (or an approved request) may give at once. */
export const MAX_GRANT_DAYS = 90;
const MAX_GRANT_MS = MAX_GRANT_DAYS * 24 * 60 * 60 * 1000;

export type GrantScope = {
  actions: ActionName[];
  resource: { type: string; id?: string | undefined } | null;
};

export type GrantView = {
  id: string;
  agent: { id: string; name: string };
  actions: string[];
  resource: { type: string; id: string | null } | null;
  reason: string;
  expiresAt: Date;
  createdAt: Date;
  createdBy: string;
  revokedAt: Date | null;
  revokedBy: string | null;
  state: "active" | "expired" | "revoked";
  describe: string;
};

export type GrantRequestView = {
  id: string;
  agent: { id: string; name: string };
  actingFor: string;
  actions: string[];
  resource: { type: string; id: string | null } | null;
  durationMinutes: number;
  reason: string;
  status: "pending" | "approved" | "denied";
  createdAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  comment: string | null;
  grantId: string | null;
  describe: string;
};

type ScopeColumns = { actions: string[]; resourceType: string | null; resourceId: string | null };

/**
 * A stored grant's or request's scope as the API shows it, with a one-line description for lists and
 * audit sentences: "book a room, report a maintenance issue, only on room r-1".
 */
function scopeView(row: ScopeColumns) {
  const resource = row.resourceType ? { type: row.resourceType, id: row.resourceId } : null;
  const labels = row.actions.map((a) => (isActionName(a) ? ACTION_INFO[a].label : a)).join(", ");
  const type = resource ? resourceLabel(resource.type) : "";
  const describe = !resource
    ? labels
    : resource.id
      ? `${labels}, only on ${type} ${resource.id}`
      : `${labels}, only on ${type}s`;
  return { actions: row.actions, resource, describe };
}

function checkExpiry(expiresAt: Date, now: Date): void {
  if (expiresAt.getTime() <= now.getTime()) throw fieldError("expiresAt", "Choose a time in the future");
  if (expiresAt.getTime() - now.getTime() > MAX_GRANT_MS)
    throw fieldError("expiresAt", `Grants last at most ${MAX_GRANT_DAYS} days: choose an earlier time`);
}

// ——— grants ———

const grantInclude = {
  agent: { select: { id: true, name: true } },
  createdBy: { select: { name: true } },
  revokedBy: { select: { name: true } },
} as const;

function grantView(
  row: Prisma.AccessGrantGetPayload<{ include: typeof grantInclude }>,
  now: Date,
): GrantView {
  return {
    id: row.id,
    agent: row.agent,
    ...scopeView(row),
    reason: row.reason,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    createdBy: row.createdBy.name,
    revokedAt: row.revokedAt,
    revokedBy: row.revokedBy?.name ?? null,
    state: row.revokedAt ? "revoked" : row.expiresAt.getTime() <= now.getTime() ? "expired" : "active",
  };
}

export async function listGrants(
  ctx: TenantContext,
  input: { state: "active" | "all"; agentId?: string | undefined },
): Promise<GrantView[]> {
  const now = new Date();
  const rows = await ctx.db.accessGrant.findMany({
    where: {
      tenantId: ctx.tenantId,
      ...(input.agentId ? { agentId: input.agentId } : {}),
      ...(input.state === "active" ? { revokedAt: null, expiresAt: { gt: now } } : {}),
    },
    include: grantInclude,
    orderBy: { createdAt: "desc" },
    take: 500,
  });
  return rows.map((row) => grantView(row, now));
}

async function insertGrant(
  db: Tx,
  tenantId: string,
  input: GrantScope & { agentId: string; reason: string; expiresAt: Date; createdById: string },
) {
  return db.accessGrant.create({
    data: {
      tenantId,
      agentId: input.agentId,
      actions: input.actions,
      resourceType: input.resource?.type ?? null,
      resourceId: input.resource?.id ?? null,
      reason: input.reason,
      expiresAt: input.expiresAt,
      createdById: input.createdById,
    },
    include: grantInclude,
  });
}

export async function createGrant(
  ctx: TenantContext,
  input: GrantScope & { agentId: string; reason: string; expiresAt: Date },
): Promise<GrantView> {
  const now = new Date();
  const agent = await loadAgent(ctx.db, ctx.tenantId, input.agentId);
  if (agent.disabledAt)
    throw new AppError("CONFLICT", `${agent.name} is disabled; enable it before granting`);
  checkExpiry(input.expiresAt, now);
  grantScope(ctx.tenantId, input);
  const row = await insertGrant(ctx.db, ctx.tenantId, { ...input, createdById: ctx.actor.userId });
  const view = grantView(row, now);
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "grant.created",
    resource: { type: "grant", id: row.id, label: agent.name },
    outcome: "succeeded",
    detail: {
      agent: agent.name,
      scope: view.describe,
      actions: input.actions,
      expiresAt: input.expiresAt,
      reason: input.reason,
    },
  });
  return view;
}

/** Revocation is one committed row update; the trigger bumps the access version with it. */
export async function revokeGrant(ctx: TenantContext, input: { grantId: string }): Promise<GrantView> {
  const now = new Date();
  const existing = await ctx.db.accessGrant.findUnique({
    where: { tenantId_id: { tenantId: ctx.tenantId, id: input.grantId } },
    include: grantInclude,
  });
  if (!existing) throw notFound("Grant not found");
  if (existing.revokedAt) throw new AppError("CONFLICT", "This grant is already revoked");
  const row = await ctx.db.accessGrant.update({
    where: { tenantId_id: { tenantId: ctx.tenantId, id: existing.id } },
    data: { revokedAt: now, revokedById: ctx.actor.userId },
    include: grantInclude,
  });
  const view = grantView(row, now);
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "grant.revoked",
    resource: { type: "grant", id: row.id, label: row.agent.name },
    outcome: "succeeded",
    detail: { agent: row.agent.name, scope: view.describe },
  });
  return view;
}

// ——— expansion requests ———

const requestInclude = {
  agent: { select: { id: true, name: true } },
  actingFor: { select: { name: true } },
  decidedBy: { select: { name: true } },
} as const;

function requestView(
  row: Prisma.GrantRequestGetPayload<{ include: typeof requestInclude }>,
): GrantRequestView {
  return {
    id: row.id,
    agent: row.agent,
    actingFor: row.actingFor.name,
    ...scopeView(row),
    durationMinutes: row.durationMinutes,
    reason: row.reason,
    status: row.status,
    createdAt: row.createdAt,
    decidedBy: row.decidedBy?.name ?? null,
    decidedAt: row.decidedAt,
    comment: row.comment,
    grantId: row.grantId,
  };
}

export async function listGrantRequests(
  ctx: TenantContext,
  input: { status: "pending" | "all" },
): Promise<GrantRequestView[]> {
  const rows = await ctx.db.grantRequest.findMany({
    where: { tenantId: ctx.tenantId, ...(input.status === "pending" ? { status: "pending" } : {}) },
    include: requestInclude,
    orderBy: { createdAt: "desc" },
    take: 500,
  });
  return rows.map(requestView);
}

/**
 * An agent asks for more permission ("expandable by intent"). Called by the agent runtime with the
 * agent and the user it acts for as the kernel knows them; the request waits for an admin.
 */
export async function requestGrant(
  db: Tx,
  tenantId: string,
  input: GrantScope & { agentId: string; actingForUserId: string; durationMinutes: number; reason: string },
): Promise<GrantRequestView> {
  const agent = await loadAgent(db, tenantId, input.agentId);
  if (agent.disabledAt) throw new AppError("CONFLICT", `${agent.name} is disabled`);
  const actingFor = (await loadMembers(db, tenantId, [input.actingForUserId])).get(input.actingForUserId);
  if (!actingFor) throw notFound("The agent acts for someone who is not a member of this tenant");
  if (input.durationMinutes < 1 || input.durationMinutes * 60_000 > MAX_GRANT_MS)
    throw new AppError("BAD_REQUEST", `A grant lasts between 1 minute and ${MAX_GRANT_DAYS} days`);
  grantScope(tenantId, input);
  const row = await db.grantRequest.create({
    data: {
      tenantId,
      agentId: agent.id,
      actingForId: actingFor.id,
      actions: input.actions,
      resourceType: input.resource?.type ?? null,
      resourceId: input.resource?.id ?? null,
      durationMinutes: input.durationMinutes,
      reason: input.reason,
    },
    include: requestInclude,
  });
  const view = requestView(row);
  await appendAudit(db, tenantId, {
    actor: { type: "agent", id: agent.id, label: agent.name },
    onBehalfOf: { id: actingFor.id, label: actingFor.name },
    action: "grant.requested",
    resource: { type: "grant_request", id: row.id, label: agent.name },
    outcome: "recorded",
    detail: {
      scope: view.describe,
      actions: input.actions,
      durationMinutes: input.durationMinutes,
      reason: input.reason,
    },
  });
  return view;
}

/**
 * An admin approves (which creates the grant, starting now) or denies a pending request. Nobody
 * approves an expansion for an agent acting for themselves.
 */
export async function decideGrantRequest(
  ctx: TenantContext,
  input: { requestId: string; approve: boolean; comment?: string | undefined },
): Promise<GrantRequestView> {
  const now = new Date();
  const request = await ctx.db.grantRequest.findUnique({
    where: { tenantId_id: { tenantId: ctx.tenantId, id: input.requestId } },
    include: requestInclude,
  });
  if (!request) throw notFound("Request not found");
  if (request.status !== "pending")
    throw new AppError("CONFLICT", `This request was already ${request.status}`);
  if (request.actingForId === ctx.actor.userId)
    throw new AppError("FORBIDDEN", "You cannot approve a request made by an agent acting for you");
  if (!input.approve && !input.comment?.trim()) throw fieldError("comment", "Say why you deny the request");

  let grantId: string | null = null;
  if (input.approve) {
    const actions = request.actions.filter(isActionName);
    const grant = await insertGrant(ctx.db, ctx.tenantId, {
      agentId: request.agentId,
      actions,
      resource: request.resourceType
        ? { type: request.resourceType, ...(request.resourceId ? { id: request.resourceId } : {}) }
        : null,
      reason: `Approved request: ${request.reason}`,
      expiresAt: new Date(now.getTime() + request.durationMinutes * 60_000),
      createdById: ctx.actor.userId,
    });
    grantId = grant.id;
  }
  // Only a still-pending row changes: of two admins deciding at once, the second gets a conflict.
  const { count } = await ctx.db.grantRequest.updateMany({
    where: { tenantId: ctx.tenantId, id: request.id, status: "pending" },
    data: {
      status: input.approve ? "approved" : "denied",
      decidedById: ctx.actor.userId,
      decidedAt: now,
      comment: input.comment?.trim() || null,
      grantId,
    },
  });
  if (count === 0) throw new AppError("CONFLICT", "Someone else decided this request a moment ago");
  const updated = await ctx.db.grantRequest.findUniqueOrThrow({
    where: { tenantId_id: { tenantId: ctx.tenantId, id: request.id } },
    include: requestInclude,
  });
  const view = requestView(updated);
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: input.approve ? "grant.request_approved" : "grant.request_denied",
    resource: { type: "grant_request", id: request.id, label: request.agent.name },
    outcome: input.approve ? "approved" : "rejected",
    detail: { agent: request.agent.name, scope: view.describe, comment: view.comment, grantId },
  });
  return view;
}

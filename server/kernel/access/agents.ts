import type { Tx } from "@/server/db/client";
import { notFound } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";

/**
 * Agents registered in a tenant: one installed skill each, acting for whichever member runs it.
 * They start with no permissions (grant-admin.ts gives them grants).
 */
export type AgentView = {
  id: string;
  name: string;
  skill: { id: string; name: string; version: string; publisher: string };
  disabled: boolean;
  createdAt: Date;
  activeGrants: number;
};

export async function loadAgent(db: Tx, tenantId: string, agentId: string) {
  const agent = await db.agent.findUnique({ where: { tenantId_id: { tenantId, id: agentId } } });
  if (!agent) throw notFound("Agent not found");
  return agent;
}

export async function listAgents(ctx: TenantContext): Promise<AgentView[]> {
  const now = new Date();
  const rows = await ctx.db.agent.findMany({
    where: { tenantId: ctx.tenantId },
    orderBy: { name: "asc" },
    include: { _count: { select: { grants: { where: { revokedAt: null, expiresAt: { gt: now } } } } } },
  });
  return rows.map((a) => ({
    id: a.id,
    name: a.name,
    skill: { id: a.skillId, name: a.skillName, version: a.skillVersion, publisher: a.publisher },
    disabled: a.disabledAt !== null,
    createdAt: a.createdAt,
    activeGrants: a._count.grants,
  }));
}

export async function registerAgent(
  ctx: TenantContext,
  input: { name: string; skillId: string; skillName: string; skillVersion: string; publisher: string },
): Promise<{ id: string }> {
  const agent = await ctx.db.agent.create({ data: { tenantId: ctx.tenantId, ...input } });
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "agent.registered",
    resource: { type: "agent", id: agent.id, label: agent.name },
    outcome: "succeeded",
    detail: { skill: input.skillName, version: input.skillVersion, publisher: input.publisher },
  });
  return { id: agent.id };
}

/** A disabled agent is denied every syscall (principals.ts) and its grants stop counting. */
export async function setAgentDisabled(ctx: TenantContext, input: { agentId: string; disabled: boolean }) {
  const agent = await loadAgent(ctx.db, ctx.tenantId, input.agentId);
  if ((agent.disabledAt !== null) === input.disabled) return { disabled: input.disabled };
  await ctx.db.agent.update({
    where: { tenantId_id: { tenantId: ctx.tenantId, id: agent.id } },
    data: { disabledAt: input.disabled ? new Date() : null },
  });
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: input.disabled ? "agent.disabled" : "agent.enabled",
    resource: { type: "agent", id: agent.id, label: agent.name },
    outcome: "succeeded",
  });
  return { disabled: input.disabled };
}

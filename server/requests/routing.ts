/**
 * Who approves a request: the tenant's routing rule for its type (or the type's default), the levels
 * the type itself requires, and any approver the kernel's policies require that the rule forgot — the
 * policies are the floor, a rule can add approvals but never remove one. Each level is then given its
 * assignees: the requester's manager (from HR) or the members holding a role, never the requester, plus
 * whoever those people delegated to while they are away.
 */
import { z } from "zod";
import type { Tx } from "@/server/db/client";
import { sqlOf } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import { activeDelegationsFrom } from "@/server/kernel/access/delegations";
import { loadMembers } from "@/server/kernel/access/principals";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import { canManageWorkflows, ROLES, type Role } from "@/server/tenancy/roles";
import { definitionOf, REQUEST_DEFINITIONS } from "./catalog";
import type { Requester } from "./definition";
import { deleteRule, saveRule, storedRule, type Assignee } from "./store";
import {
  REQUEST_TYPES,
  requestTypeSchema,
  routingRuleSchema,
  type ApproverKind,
  type Level,
  type RequestType,
  type RoutingRule,
} from "./types";

export async function ruleFor(tx: Tx, tenantId: string, type: RequestType): Promise<RoutingRule> {
  const stored = routingRuleSchema.safeParse(await storedRule(tx, tenantId, type));
  return stored.success ? stored.data : definitionOf(type).defaultRule;
}

export async function routingRules(ctx: TenantContext) {
  const rules = [];
  // One after the other: the queries share the request's transaction (one connection).
  for (const type of REQUEST_TYPES) {
    const stored = routingRuleSchema.safeParse(await storedRule(ctx.db, ctx.tenantId, type));
    rules.push({
      type,
      title: REQUEST_DEFINITIONS[type].title,
      rule: stored.success ? stored.data : REQUEST_DEFINITIONS[type].defaultRule,
      isDefault: !stored.success,
    });
  }
  return rules;
}

export const setRoutingRuleInput = z.object({ type: requestTypeSchema, rule: routingRuleSchema.nullable() });

/** Saves a type's rule (null: back to the default), audited as `approval_rule.updated`. */
export async function setRoutingRule(ctx: TenantContext, input: z.output<typeof setRoutingRuleInput>) {
  if (!canManageWorkflows(ctx.actor.role))
    throw new AppError("FORBIDDEN", "Only owners and admins can change approval rules");
  if (input.rule === null) await deleteRule(ctx.db, ctx.tenantId, input.type);
  else await saveRule(ctx.db, ctx.tenantId, input.type, input.rule, ctx.actor.userId);
  const rule = input.rule ?? definitionOf(input.type).defaultRule;
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "approval_rule.updated",
    resource: { type: "approval_rule", id: input.type, label: definitionOf(input.type).title },
    outcome: "recorded",
    detail: {
      type: input.type,
      levels: rule.levels.map(
        (l) => `${l.name} (${l.approver}${l.required > 1 ? `, ${l.required} of them` : ""})`,
      ),
      reset: input.rule === null,
    },
  });
  return { type: input.type, rule, isDefault: input.rule === null };
}

/**
 * The chain for one request: the rule's levels that apply to its amount, the type's required levels,
 * then a level for each approver the kernel asked for (or a plan step acts as) that no level gives.
 */
export function chainOf(
  rule: RoutingRule,
  required: readonly Level[],
  kernelApprovers: readonly ApproverKind[],
  amountCents: number | undefined,
): Level[] {
  const levels = rule.levels.filter(
    (l) => l.minAmountCents === undefined || (amountCents !== undefined && amountCents >= l.minAmountCents),
  );
  for (const level of required) if (!levels.some((l) => l.approver === level.approver)) levels.push(level);
  for (const approver of kernelApprovers)
    if (!levels.some((l) => l.approver === approver))
      levels.push({
        name: approver === "manager" ? "Manager (required)" : `${roleName(approver)} (required)`,
        approver,
        required: 1,
        commentOnDeny: false,
        bulk: true,
      });
  return levels;
}

/** The role a "role:<role>" approver names. */
export function roleOf(approver: `role:${Role}`): Role {
  const role = ROLES.find((r) => approver === `role:${r}`);
  if (!role) throw new Error(`Not a role approver: ${approver}`);
  return role;
}

const roleName = (approver: `role:${Role}`) => {
  const role = roleOf(approver);
  return role.charAt(0).toUpperCase() + role.slice(1);
};

/** Active members holding `role` (owners count as admins). */
export async function membersWithRole(tx: Tx, tenantId: string, role: Role): Promise<string[]> {
  const rows = await sqlOf(tx).query<{ user_id: string }>(
    `SELECT m."userId"::text AS user_id FROM "Membership" m
      WHERE m."tenantId" = $1::uuid AND m."deactivatedAt" IS NULL
        AND (m.role = $2::"Role" OR ($2 = 'admin' AND m.role = 'owner'))
      ORDER BY m."createdAt"`,
    [tenantId, role],
  );
  return rows.map((r) => r.user_id);
}

/** The people who decide a level for `requester`, never the requester: one manager, or a role's members. */
export async function directApprovers(
  tx: Tx,
  tenantId: string,
  approver: ApproverKind,
  requester: Requester,
): Promise<string[]> {
  if (approver === "manager") {
    const managerId = (await loadMembers(tx, tenantId, [requester.id])).get(requester.id)?.managerId;
    return managerId && managerId !== requester.id ? [managerId] : [];
  }
  return (await membersWithRole(tx, tenantId, roleOf(approver))).filter((id) => id !== requester.id);
}

/** The direct approvers, then each one's active delegates (who decide for them), without duplicates. */
export async function assigneesFor(
  tx: Tx,
  tenantId: string,
  approver: ApproverKind,
  requester: Requester,
  at: Date,
): Promise<Assignee[]> {
  const direct = await directApprovers(tx, tenantId, approver, requester);
  const assignees: Assignee[] = direct.map((userId) => ({ userId }));
  for (const d of (await activeDelegationsFrom(tx, tenantId, direct, at)).values())
    if (d.toUserId !== requester.id && !assignees.some((a) => a.userId === d.toUserId))
      assignees.push({ userId: d.toUserId, delegationId: d.id, forUserId: d.fromUserId });
  return assignees;
}

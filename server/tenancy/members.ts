import type { Tx } from "@/server/db/client";
import { UUID_PATTERN } from "@/server/db/sql";
import { AppError, notFound } from "@/server/errors";
import { recordMemberAction } from "./audit";
import type { Actor, TenantContext } from "./context";
import { canManageMember, canManageMembers, type Role } from "./roles";

export type MemberView = {
  membershipId: string;
  userId: string;
  name: string;
  email: string;
  role: Role;
  joinedAt: Date;
};

const memberSelect = {
  id: true,
  role: true,
  createdAt: true,
  user: { select: { id: true, name: true, email: true } },
} as const;

function toView(r: {
  id: string;
  role: Role;
  createdAt: Date;
  user: { id: string; name: string; email: string };
}): MemberView {
  return {
    membershipId: r.id,
    userId: r.user.id,
    name: r.user.name,
    email: r.user.email,
    role: r.role,
    joinedAt: r.createdAt,
  };
}

export async function listMembers(ctx: TenantContext): Promise<MemberView[]> {
  const rows = await ctx.db.membership.findMany({
    where: { tenantId: ctx.tenantId },
    select: memberSelect,
    orderBy: [{ user: { name: "asc" } }],
  });
  return rows.map(toView);
}

async function loadMembership(ctx: TenantContext, membershipId: string) {
  // Always by (tenantId, id): row-level security is the second wall, not the first.
  const m = await ctx.db.membership.findUnique({
    where: { tenantId_id: { tenantId: ctx.tenantId, id: membershipId } },
    select: { id: true, userId: true, role: true, user: { select: { name: true, email: true } } },
  });
  if (!m) throw notFound("Member not found");
  return m;
}

async function assertAnotherOwner(db: Tx, tenantId: string, exceptMembershipId: string): Promise<void> {
  const owners = await db.membership.count({
    where: { tenantId, role: "owner", id: { not: exceptMembershipId } },
  });
  if (owners === 0)
    throw new AppError("CONFLICT", "A tenant needs at least one owner. Make someone else an owner first.");
}

/** Only owners may touch owners or make new ones; admins manage everyone else (roles.ts). */
function assertMayManage(ctx: TenantContext, target: { role: Role }, newRole?: Role): void {
  if (!canManageMembers(ctx.actor.role)) {
    throw new AppError("FORBIDDEN", "Only owners and admins can manage members");
  }
  if (
    !canManageMember(ctx.actor.role, target.role) ||
    (newRole && !canManageMember(ctx.actor.role, newRole))
  ) {
    throw new AppError("FORBIDDEN", "Only an owner can change an owner or make someone an owner");
  }
}

export async function changeMemberRole(
  ctx: TenantContext,
  input: { membershipId: string; role: Role },
): Promise<MemberView> {
  const target = await loadMembership(ctx, input.membershipId);
  assertMayManage(ctx, target, input.role);
  if (target.role === "owner" && input.role !== "owner")
    await assertAnotherOwner(ctx.db, ctx.tenantId, target.id);
  const updated = await ctx.db.membership.update({
    where: { tenantId_id: { tenantId: ctx.tenantId, id: target.id } },
    data: { role: input.role },
    select: memberSelect,
  });
  await recordMemberAction(ctx, {
    action: "member.role_changed",
    resource: { type: "membership", id: target.id, label: target.user.name },
    detail: { userId: target.userId, email: target.user.email, from: target.role, to: input.role },
  });
  return toView(updated);
}

export async function removeMember(ctx: TenantContext, input: { membershipId: string }): Promise<void> {
  const target = await loadMembership(ctx, input.membershipId);
  assertMayManage(ctx, target);
  if (target.role === "owner") await assertAnotherOwner(ctx.db, ctx.tenantId, target.id);
  await ctx.db.membership.delete({ where: { tenantId_id: { tenantId: ctx.tenantId, id: target.id } } });
  await recordMemberAction(ctx, {
    action: "member.removed",
    resource: { type: "membership", id: target.id, label: target.user.name },
    detail: { userId: target.userId, email: target.user.email, role: target.role },
  });
}

/** Adds a user to the current tenant, or returns their existing membership. */
export async function addMember(db: Tx, tenantId: string, userId: string, role: Role) {
  const existing = await db.membership.findUnique({ where: { tenantId_userId: { tenantId, userId } } });
  return existing ?? db.membership.create({ data: { tenantId, userId, role } });
}

/**
 * The actor for a person a connector call acts for or names (the submitter, the approver): an active
 * member of the tenant, with their role from the membership, never from the input. Someone who is not a member,
 * or whose membership an identity provider deactivated, cannot act.
 */
export async function memberActor(tx: Tx, tenantId: string, userId: string): Promise<Actor> {
  if (!UUID_PATTERN.test(userId)) throw notFound("Member not found");
  const membership = await tx.membership.findUnique({
    where: { tenantId_userId: { tenantId, userId } },
    select: { id: true, role: true, deactivatedAt: true },
  });
  if (!membership || membership.deactivatedAt) throw notFound("Member not found");
  return { userId, membershipId: membership.id, role: membership.role };
}

import { z } from "zod";
import type { PrismaClient, Tx } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { env } from "@/server/env.js";
import { AppError, notFound } from "@/server/errors";
import { sendMail } from "@/server/mail/mailer";
import { emailSchema, passwordSchema } from "@/server/auth/password-rules";
import { createUserWithPassword } from "@/server/auth/users";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import { recordMemberAction } from "./audit";
import type { TenantContext } from "./context";
import { signInviteToken, verifyInviteToken } from "./invite-token";
import { addMember } from "./members";
import { canManageMember, roleSchema, type Role } from "./roles";

export const createInviteInput = z.object({ email: emailSchema, role: roleSchema });
export const acceptInviteInput = z.object({
  token: z.string().min(10).max(1000),
  /** Only when accepting creates a new account. */
  name: z.string().trim().min(1, "Enter your name").max(100).optional(),
  password: passwordSchema.optional(),
});

export type InviteStatus = "pending" | "accepted" | "revoked" | "expired";
export type InviteView = {
  id: string;
  email: string;
  role: Role;
  status: InviteStatus;
  expiresAt: Date;
  createdAt: Date;
  invitedBy: string;
};

type InviteRow = { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date };

function statusOf(invite: InviteRow, now = new Date()): InviteStatus {
  if (invite.acceptedAt) return "accepted";
  if (invite.revokedAt) return "revoked";
  return invite.expiresAt <= now ? "expired" : "pending";
}

export function inviteUrl(token: string): string {
  return new URL(`/invite/${token}`, env.APP_URL).toString();
}

export async function listInvites(ctx: TenantContext): Promise<InviteView[]> {
  const rows = await ctx.db.invite.findMany({
    where: { tenantId: ctx.tenantId, acceptedAt: null, revokedAt: null },
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      email: true,
      role: true,
      expiresAt: true,
      createdAt: true,
      acceptedAt: true,
      revokedAt: true,
      invitedBy: { select: { name: true } },
    },
  });
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    role: r.role,
    status: statusOf(r),
    expiresAt: r.expiresAt,
    createdAt: r.createdAt,
    invitedBy: r.invitedBy.name,
  }));
}

/**
 * Invites someone by email. Earlier pending invites to the same address are revoked, so only the newest
 * link works. The link is returned for the UI to show, and mailed (without SMTP, or when SMTP refuses it,
 * the invitee finds it in their Outbox, and the UI says it was not emailed).
 */
export async function createInvite(ctx: TenantContext, input: z.infer<typeof createInviteInput>) {
  if (!canManageMember(ctx.actor.role, input.role)) {
    throw new AppError("FORBIDDEN", "Only an owner can invite another owner");
  }
  const member = await ctx.db.membership.findFirst({
    where: { tenantId: ctx.tenantId, user: { email: input.email } },
  });
  if (member) throw new AppError("CONFLICT", `${input.email} is already a member`);
  const superseded = await ctx.db.invite.updateMany({
    where: { tenantId: ctx.tenantId, email: input.email, acceptedAt: null, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  const expiresAt = new Date(Date.now() + env.INVITE_TTL_HOURS * 3_600_000);
  const invite = await ctx.db.invite.create({
    data: {
      tenantId: ctx.tenantId,
      email: input.email,
      role: input.role,
      invitedById: ctx.actor.userId,
      expiresAt,
    },
    select: {
      id: true,
      email: true,
      role: true,
      expiresAt: true,
      tenant: { select: { name: true } },
      invitedBy: { select: { name: true } },
    },
  });
  // The link is a credential: the log records the invitation, never its URL.
  await recordMemberAction(ctx, {
    action: "invite.created",
    resource: { type: "invite", id: invite.id, label: invite.email },
    detail: { email: invite.email, role: invite.role, expiresAt, supersededInvites: superseded.count },
  });
  const url = inviteUrl(
    signInviteToken({ inviteId: invite.id, tenantId: ctx.tenantId, expiresAt: expiresAt.getTime() }),
  );
  // Recorded about no tenant: the invitee is not a member yet, and reads it in their own Outbox.
  const sent = await sendMail(ctx.db, {
    kind: "invite.created",
    to: invite.email,
    subject: `${invite.invitedBy.name} invited you to ${invite.tenant.name} on Tenet`,
    text: `${invite.invitedBy.name} invited you to join ${invite.tenant.name} on Tenet as ${invite.role}.\n\nAccept the invitation: ${url}\n\nThe link works once and expires ${expiresAt.toUTCString()}.`,
  });
  const emailed = sent.deliveredVia === "smtp" && sent.error === null;
  return { id: invite.id, email: invite.email, role: invite.role, expiresAt, url, emailed };
}

export async function revokeInvite(ctx: TenantContext, inviteId: string): Promise<void> {
  const [revoked] = await ctx.db.invite.updateManyAndReturn({
    where: { tenantId: ctx.tenantId, id: inviteId, acceptedAt: null, revokedAt: null },
    data: { revokedAt: new Date() },
    select: { id: true, email: true, role: true },
  });
  if (!revoked) throw notFound("Invitation not found or no longer pending");
  await recordMemberAction(ctx, {
    action: "invite.revoked",
    resource: { type: "invite", id: revoked.id, label: revoked.email },
    detail: { email: revoked.email, role: revoked.role },
  });
}

/** Verifies a link and loads its invite inside the invite's tenant. */
async function withInvite<T>(
  db: PrismaClient,
  token: string,
  fn: (
    tx: Tx,
    invite: InviteRow & {
      id: string;
      tenantId: string;
      email: string;
      role: Role;
      tenant: { slug: string; name: string };
    },
  ) => Promise<T>,
): Promise<T> {
  const payload = verifyInviteToken(token);
  if (!payload) throw notFound("This invitation link is not valid");
  return withTenant(db, { tenantId: payload.tenantId }, async (tx) => {
    const invite = await tx.invite.findUnique({
      where: { tenantId_id: { tenantId: payload.tenantId, id: payload.inviteId } },
      select: {
        id: true,
        tenantId: true,
        email: true,
        role: true,
        expiresAt: true,
        acceptedAt: true,
        revokedAt: true,
        tenant: { select: { slug: true, name: true } },
      },
    });
    if (!invite) throw notFound("This invitation link is not valid");
    return fn(tx, invite);
  });
}

export async function previewInvite(db: PrismaClient, token: string) {
  return withInvite(db, token, async (tx, invite) => {
    const account = await tx.user.findUnique({ where: { email: invite.email }, select: { id: true } });
    return {
      tenantName: invite.tenant.name,
      tenantSlug: invite.tenant.slug,
      email: invite.email,
      role: invite.role,
      status: statusOf(invite),
      expiresAt: invite.expiresAt,
      accountExists: account !== null,
    };
  });
}

const STATUS_MESSAGES: Record<Exclude<InviteStatus, "pending">, string> = {
  accepted: "This invitation has already been used",
  revoked: "This invitation was withdrawn",
  expired: "This invitation has expired; ask for a new one",
};

/**
 * Accepts an invite, once. A signed-in user must be the invited address. Someone without an account
 * creates one here (name and password); someone with an account must sign in first.
 */
export async function acceptInvite(
  db: PrismaClient,
  input: z.infer<typeof acceptInviteInput>,
  signedInUserId: string | null,
): Promise<{ tenantSlug: string; email: string; accountCreated: boolean }> {
  return withInvite(db, input.token, async (tx, invite) => {
    const status = statusOf(invite);
    if (status !== "pending") throw new AppError("CONFLICT", STATUS_MESSAGES[status]);
    const existing = await tx.user.findUnique({ where: { email: invite.email }, select: { id: true } });
    let userId: string;
    let accountCreated = false;
    if (signedInUserId) {
      if (existing?.id !== signedInUserId) {
        throw new AppError(
          "FORBIDDEN",
          `This invitation is for ${invite.email}. Sign in with that address to accept it.`,
        );
      }
      userId = signedInUserId;
    } else if (existing) {
      throw new AppError(
        "UNAUTHORIZED",
        `${invite.email} already has an account. Sign in to accept the invitation.`,
      );
    } else {
      if (!input.name || !input.password)
        throw new AppError("BAD_REQUEST", "Enter your name and a password to create your account");
      // The invite reached this address, which verifies it.
      const user = await createUserWithPassword(tx, {
        email: invite.email,
        name: input.name,
        password: input.password,
        emailVerified: true,
      });
      userId = user.id;
      accountCreated = true;
    }
    // The conditional update makes acceptance single-use even when two tabs accept at once.
    const { count } = await tx.invite.updateMany({
      where: {
        tenantId: invite.tenantId,
        id: invite.id,
        acceptedAt: null,
        revokedAt: null,
        expiresAt: { gt: new Date() },
      },
      data: { acceptedAt: new Date() },
    });
    if (count !== 1) throw new AppError("CONFLICT", STATUS_MESSAGES.accepted);
    await addMember(tx, invite.tenantId, userId, invite.role);
    await appendAudit(tx, invite.tenantId, {
      actor: await userActor(tx, userId),
      action: "invite.accepted",
      resource: { type: "invite", id: invite.id, label: invite.email },
      outcome: "succeeded",
      detail: { email: invite.email, role: invite.role, accountCreated },
    });
    return { tenantSlug: invite.tenant.slug, email: invite.email, accountCreated };
  });
}

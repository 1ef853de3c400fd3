import { z } from "zod";
import type { Tx } from "@/server/db/client";
import { sqlOf } from "@/server/db/sql";
import { AppError, checkedId, fieldError, notFound, parsed } from "@/server/errors";
import type { TenantContext } from "@/server/tenancy/context";
import { canManageAccess } from "@/server/tenancy/roles";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import { loadMembers } from "./principals";

/**
 * Approval delegations (kernel.approval_delegation): a member lets another approve in their place.
 * `out_of_office` is the member's own, dated; `reassigned` and `escalated` are an admin handing one
 * approval task (`taskId`, of the requests domain) from one member to another. The kernel honours an
 * approval that names a delegation only while it is active and only if its delegator could have given
 * the approval themselves (principals.ts verifyApprovals); this module keeps the rows sensible.
 */

export const DELEGATION_REASONS = ["out_of_office", "reassigned", "escalated"] as const;
export type DelegationReason = (typeof DELEGATION_REASONS)[number];

export const delegationInput = z.object({
  /** Who delegates; the actor unless an admin delegates for someone (reassignment, escalation). */
  fromUserId: z.uuid().optional(),
  toUserId: z.uuid(),
  /** Defaults to now. */
  startsAt: z.coerce.date().optional(),
  /** Required for out_of_office; none: until revoked. */
  endsAt: z.coerce.date().nullish(),
  reason: z.enum(DELEGATION_REASONS),
  note: z.string().trim().max(500).optional(),
  /** The approval task a reassignment or escalation is for. */
  taskId: z.uuid().optional(),
});
export type DelegationInput = z.input<typeof delegationInput>;

export type DelegationView = {
  id: string;
  from: { id: string; name: string };
  to: { id: string; name: string };
  reason: DelegationReason;
  taskId: string | null;
  note: string | null;
  startsAt: Date;
  endsAt: Date | null;
  createdAt: Date;
  createdBy: string | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  state: "scheduled" | "active" | "ended" | "revoked";
};

/** Who approves in a member's place now, as activeDelegationsFrom finds it. */
export type ActiveDelegation = {
  id: string;
  fromUserId: string;
  toUserId: string;
  toName: string;
  reason: DelegationReason;
  taskId: string | null;
  endsAt: Date | null;
};

// Timestamps leave the database as ISO text (sqlOf returns text, booleans and json only).
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const isoDate = z.string().transform((s) => new Date(s));

const rowSchema = z.object({
  id: z.string(),
  fromId: z.string(),
  fromName: z.string(),
  toId: z.string(),
  toName: z.string(),
  reason: z.enum(DELEGATION_REASONS),
  taskId: z.string().nullable(),
  note: z.string().nullable(),
  startsAt: isoDate,
  endsAt: isoDate.nullable(),
  createdAt: isoDate,
  createdBy: z.string().nullable(),
  revokedAt: isoDate.nullable(),
  revokedBy: z.string().nullable(),
});

const SELECT_VIEW = `SELECT g.id::text AS "id", g.from_user_id::text AS "fromId", f.name AS "fromName",
    g.to_user_id::text AS "toId", t.name AS "toName", g.reason, g.task_id::text AS "taskId", g.note,
    ${iso("g.starts_at")} AS "startsAt", ${iso("g.ends_at")} AS "endsAt", ${iso("g.created_at")} AS "createdAt",
    c.name AS "createdBy", ${iso("g.revoked_at")} AS "revokedAt", r.name AS "revokedBy"
  FROM kernel.approval_delegation g
  JOIN "User" f ON f.id = g.from_user_id
  JOIN "User" t ON t.id = g.to_user_id
  LEFT JOIN "User" c ON c.id = g.created_by
  LEFT JOIN "User" r ON r.id = g.revoked_by`;

function view(row: z.output<typeof rowSchema>, now: Date): DelegationView {
  const t = now.getTime();
  const state = row.revokedAt
    ? "revoked"
    : t < row.startsAt.getTime()
      ? "scheduled"
      : row.endsAt && t >= row.endsAt.getTime()
        ? "ended"
        : "active";
  return {
    id: row.id,
    from: { id: row.fromId, name: row.fromName },
    to: { id: row.toId, name: row.toName },
    reason: row.reason,
    taskId: row.taskId,
    note: row.note,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    revokedAt: row.revokedAt,
    revokedBy: row.revokedBy,
    state,
  };
}

async function loadDelegation(
  tx: Tx,
  tenantId: string,
  id: string,
  now: Date,
): Promise<DelegationView | null> {
  const rows = await sqlOf(tx).query(`${SELECT_VIEW} WHERE g.tenant_id = $1::uuid AND g.id = $2::uuid`, [
    tenantId,
    id,
  ]);
  return rows[0] === undefined ? null : view(rowSchema.parse(rows[0]), now);
}

const utc = (at: Date) => `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/**
 * Writes a delegation row as given, with no rule checked: createDelegation's, after its checks, and a
 * workflow's escalation, which no person makes (`createdBy` null) and which its task already bounds.
 */
export async function recordDelegation(
  tx: Tx,
  tenantId: string,
  row: {
    fromUserId: string;
    toUserId: string;
    startsAt: Date;
    endsAt: Date | null;
    reason: DelegationReason;
    taskId: string | null;
    note: string | null;
    createdBy: string | null;
  },
): Promise<string> {
  const [inserted] = await sqlOf(tx).query<{ id: string }>(
    `INSERT INTO kernel.approval_delegation
       (tenant_id, from_user_id, to_user_id, starts_at, ends_at, reason, task_id, note, created_by)
     VALUES ($1::uuid, $2::uuid, $3::uuid, $4::timestamptz, $5::timestamptz, $6, $7::uuid, $8, $9::uuid)
     RETURNING id::text`,
    [
      tenantId,
      row.fromUserId,
      row.toUserId,
      row.startsAt.toISOString(),
      row.endsAt?.toISOString() ?? null,
      row.reason,
      row.taskId,
      row.note?.slice(0, 500) ?? null,
      row.createdBy,
    ],
  );
  if (!inserted) throw new Error("delegations: the delegation was not recorded");
  return inserted.id;
}

/**
 * Lets `toUserId` approve in the delegator's place. Members delegate their own approvals; admins and
 * owners may delegate someone else's (reassignment, escalation). The delegate must be an active member
 * other than the delegator; out-of-office delegations are dated and one person's do not overlap (two
 * stand-ins at once would leave nobody sure who decides); reassignments and escalations name their task.
 */
export async function createDelegation(
  ctx: TenantContext,
  raw: DelegationInput,
  now: Date = new Date(),
): Promise<DelegationView> {
  const input = parsed(delegationInput, raw);
  const fromUserId = input.fromUserId ?? ctx.actor.userId;
  if (fromUserId !== ctx.actor.userId && !canManageAccess(ctx.actor.role))
    throw new AppError("FORBIDDEN", "Only admins and owners delegate someone else's approvals");
  if (input.toUserId === fromUserId)
    throw fieldError("toUserId", "Approvals cannot be delegated to the person who would give them");
  const startsAt = input.startsAt ?? now;
  const endsAt = input.endsAt ?? null;
  if (input.reason === "out_of_office" && endsAt === null)
    throw fieldError("endsAt", "Say when you are back: an out-of-office delegation needs an end");
  if (endsAt !== null && endsAt.getTime() <= startsAt.getTime())
    throw fieldError("endsAt", "The end must come after the start");
  if (endsAt !== null && endsAt.getTime() <= now.getTime())
    throw fieldError("endsAt", "The end must be in the future");
  if (input.reason !== "out_of_office" && input.taskId === undefined)
    throw fieldError("taskId", `A ${input.reason} delegation is for one approval task: name it`);

  const members = await loadMembers(ctx.db, ctx.tenantId, [fromUserId, input.toUserId]);
  const from = members.get(fromUserId);
  if (!from) throw notFound("The person delegating is not an active member of this tenant");
  const to = members.get(input.toUserId);
  if (!to) throw notFound("The delegate is not an active member of this tenant");

  const sql = sqlOf(ctx.db);
  if (input.reason === "out_of_office") {
    // Serialises this person's out-of-office changes, so two overlapping requests cannot both pass
    // the check below.
    await sql.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))::text`, [
      `approval_delegation:${ctx.tenantId}:${fromUserId}`,
    ]);
    const overlapping = await sql.query(
      `${SELECT_VIEW} WHERE g.tenant_id = $1::uuid AND g.from_user_id = $2::uuid AND g.reason = 'out_of_office'
         AND g.revoked_at IS NULL AND g.starts_at < $4::timestamptz
         AND (g.ends_at IS NULL OR g.ends_at > $3::timestamptz)
       ORDER BY g.starts_at LIMIT 1`,
      [ctx.tenantId, fromUserId, startsAt.toISOString(), (endsAt ?? startsAt).toISOString()],
    );
    const clash = overlapping[0] === undefined ? null : rowSchema.parse(overlapping[0]);
    if (clash)
      throw new AppError(
        "CONFLICT",
        `${from.name} is already out of office from ${utc(clash.startsAt)}${clash.endsAt ? ` to ${utc(clash.endsAt)}` : ""} ` +
          `(delegated to ${clash.toName}): revoke that delegation or choose other dates`,
      );
  }

  const id = await recordDelegation(ctx.db, ctx.tenantId, {
    fromUserId,
    toUserId: to.id,
    startsAt,
    endsAt,
    reason: input.reason,
    taskId: input.taskId ?? null,
    note: input.note || null,
    createdBy: ctx.actor.userId,
  });
  const created = id === undefined ? null : await loadDelegation(ctx.db, ctx.tenantId, id, now);
  if (!created) throw new Error("delegations: the inserted delegation could not be read back");
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "delegation.created",
    resource: { type: "delegation", id: created.id, label: `${from.name} → ${to.name}` },
    outcome: "succeeded",
    detail: {
      from: from.name,
      fromUserId: from.id,
      to: to.name,
      toUserId: to.id,
      reason: input.reason,
      startsAt,
      endsAt,
      taskId: input.taskId ?? null,
      note: created.note,
    },
  });
  return created;
}

/**
 * Ends a delegation at once: the kernel refuses approvals under it from the next syscall on. The
 * delegator, whoever created it, and admins may revoke; another tenant's id is not found.
 */
export async function revokeDelegation(
  ctx: TenantContext,
  input: { delegationId: string },
  now: Date = new Date(),
): Promise<DelegationView> {
  const id = checkedId(input.delegationId, "Delegation");
  const existing = await loadDelegation(ctx.db, ctx.tenantId, id, now);
  if (!existing) throw notFound("Delegation not found");
  const createdBy = await sqlOf(ctx.db).query<{ createdBy: string | null }>(
    `SELECT created_by::text AS "createdBy" FROM kernel.approval_delegation WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [ctx.tenantId, id],
  );
  // A reassignment or escalation moved an approval away from its delegator on purpose: only an admin
  // (or whoever made it) takes it back. An out-of-office delegation is its delegator's own to end.
  const mayRevoke =
    canManageAccess(ctx.actor.role) ||
    (existing.from.id === ctx.actor.userId && existing.reason === "out_of_office") ||
    createdBy[0]?.createdBy === ctx.actor.userId;
  if (!mayRevoke)
    throw new AppError(
      "FORBIDDEN",
      existing.reason === "out_of_office"
        ? "Only the delegator, its creator or an admin revokes a delegation"
        : "Only an admin takes back a reassigned or escalated approval",
    );
  if (existing.revokedAt) throw new AppError("CONFLICT", "This delegation is already revoked");
  // Only a still-live row changes: of two people revoking at once, the second gets a conflict.
  const updated = await sqlOf(ctx.db).query<{ id: string }>(
    `UPDATE kernel.approval_delegation SET revoked_at = $3::timestamptz, revoked_by = $4::uuid
      WHERE tenant_id = $1::uuid AND id = $2::uuid AND revoked_at IS NULL RETURNING id::text`,
    [ctx.tenantId, id, now.toISOString(), ctx.actor.userId],
  );
  if (updated.length === 0)
    throw new AppError("CONFLICT", "Someone else revoked this delegation a moment ago");
  const revoked = await loadDelegation(ctx.db, ctx.tenantId, id, now);
  if (!revoked) throw new Error("delegations: the revoked delegation could not be read back");
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "delegation.revoked",
    resource: { type: "delegation", id, label: `${revoked.from.name} → ${revoked.to.name}` },
    outcome: "succeeded",
    detail: {
      from: revoked.from.name,
      fromUserId: revoked.from.id,
      to: revoked.to.name,
      toUserId: revoked.to.id,
      reason: revoked.reason,
    },
  });
  return revoked;
}

/**
 * Delegations from or to `userId` (default: the actor), newest first. Admins and owners may list
 * anyone's, or the whole tenant's with `all`; everyone else sees only their own.
 */
export async function listDelegations(
  ctx: TenantContext,
  input: { userId?: string | undefined; all?: boolean | undefined } = {},
  now: Date = new Date(),
): Promise<DelegationView[]> {
  const admin = canManageAccess(ctx.actor.role);
  if (!admin && (input.all || (input.userId !== undefined && input.userId !== ctx.actor.userId)))
    throw new AppError("FORBIDDEN", "Only admins and owners see other people's delegations");
  const userId = input.all ? null : checkedId(input.userId ?? ctx.actor.userId, "Member");
  const rows = await sqlOf(ctx.db).query(
    `${SELECT_VIEW} WHERE g.tenant_id = $1::uuid
       AND ($2::uuid IS NULL OR g.from_user_id = $2::uuid OR g.to_user_id = $2::uuid)
     ORDER BY g.created_at DESC LIMIT 500`,
    [ctx.tenantId, userId],
  );
  return rows.map((row) => view(rowSchema.parse(row), now));
}

const activeRow = z.object({
  id: z.string(),
  fromUserId: z.string(),
  toUserId: z.string(),
  toName: z.string(),
  reason: z.enum(DELEGATION_REASONS),
  taskId: z.string().nullable(),
  endsAt: isoDate.nullable(),
});

/**
 * Who approves in each of `fromUserIds`' place at `at`: their active delegation to a member who is
 * still active, if any. General (out-of-office) delegations count for every task; a reassignment or
 * escalation only for its own task (`taskId`), and it wins over an out-of-office one. One hop only:
 * the kernel checks the delegator's own standing, not a chain.
 */
export async function activeDelegationsFrom(
  tx: Tx,
  tenantId: string,
  fromUserIds: readonly string[],
  at: Date,
  options: { taskId?: string | undefined } = {},
): Promise<Map<string, ActiveDelegation>> {
  const ids = [...new Set(fromUserIds)].filter((id) => z.uuid().safeParse(id).success);
  const taskId =
    options.taskId !== undefined && z.uuid().safeParse(options.taskId).success ? options.taskId : null;
  if (ids.length === 0) return new Map();
  const rows = await sqlOf(tx).query(
    `SELECT DISTINCT ON (g.from_user_id) g.id::text AS "id", g.from_user_id::text AS "fromUserId",
            g.to_user_id::text AS "toUserId", t.name AS "toName", g.reason, g.task_id::text AS "taskId",
            ${iso("g.ends_at")} AS "endsAt"
       FROM kernel.approval_delegation g
       JOIN "User" t ON t.id = g.to_user_id
       JOIN "Membership" m ON m."tenantId" = g.tenant_id AND m."userId" = g.to_user_id AND m."deactivatedAt" IS NULL
      WHERE g.tenant_id = $1::uuid AND g.from_user_id = ANY($2::uuid[]) AND g.revoked_at IS NULL
        AND g.starts_at <= $3::timestamptz AND (g.ends_at IS NULL OR g.ends_at > $3::timestamptz)
        AND (g.task_id IS NULL OR g.task_id = $4::uuid)
      ORDER BY g.from_user_id, (g.task_id IS NULL), g.created_at DESC`,
    [tenantId, ids, at.toISOString(), taskId],
  );
  const found = rows.map((row) => activeRow.parse(row));
  return new Map(found.map((d) => [d.fromUserId, d]));
}

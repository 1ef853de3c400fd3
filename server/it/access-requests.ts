import type { z } from "zod";
import { hasSqlState, sqlOf, UNIQUE_VIOLATION } from "@/server/db/sql";
import { AppError, notFound, parsed } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import { canManageAccess, type Role } from "@/server/tenancy/roles";
import { requestableRole, type RequestableRole } from "./access-catalog";
import { accessRequestInput, type AccessRequestOutput } from "./access-request-schemas";
import type { ItContext } from "./devices";

/**
 * Requests for a role of an app in the access catalog (it.access_request). Recording one is all this
 * does: whoever must approve it (the role's approver role, copied onto the request) and granting the
 * account through the app's SCIM connection come after, in the request and approval flow.
 *
 * Members ask for themselves and owners and admins for anyone, whether through tRPC or through the
 * `it` connector (which acts as the person the kernel verified; the kernel audits those calls).
 */

export type AccessRequestPlan = {
  role: RequestableRole;
  user: { id: string; name: string; email: string };
  reason: string;
};

/** The request checked (role requestable, person an active member, none open already), without writing. */
export async function planAccessRequest(
  ctx: ItContext,
  input: z.input<typeof accessRequestInput>,
): Promise<AccessRequestPlan> {
  const i = parsed(accessRequestInput, input);
  if (ctx.actor !== null && ctx.actor.userId !== i.userId && !canManageAccess(ctx.actor.role))
    throw new AppError("FORBIDDEN", "You can request access for yourself only");
  const sql = sqlOf(ctx.db);
  const role = await requestableRole(ctx.db, ctx.tenantId, i.roleId);
  if (role === null) throw notFound("No requestable role with that id in the access catalog");
  const [user] = await sql.query<{ id: string; name: string | null; email: string }>(
    `SELECT u.id::text, u.name, u.email FROM public."Membership" m JOIN public."User" u ON u.id = m."userId"
      WHERE m."tenantId" = $1::uuid AND m."userId" = $2::uuid AND m."deactivatedAt" IS NULL`,
    [ctx.tenantId, i.userId],
  );
  if (!user) throw notFound("No active member of this tenant with that id");
  const [open] = await sql.query<{ status: string }>(
    `SELECT status FROM it.access_request
      WHERE tenant_id = $1::uuid AND role_id = $2::uuid AND user_id = $3::uuid AND status IN ('pending', 'approved')`,
    [ctx.tenantId, role.role.id, user.id],
  );
  const name = user.name ?? user.email;
  if (open)
    throw new AppError(
      "CONFLICT",
      `${name} already has an open request (${open.status}) for ${role.app.name} / ${role.role.name}`,
    );
  return { role, user: { id: user.id, name, email: user.email }, reason: i.reason };
}

/** Records the request as pending. A second open request for the same person and role is a CONFLICT. */
export async function requestAccess(
  ctx: ItContext,
  input: z.input<typeof accessRequestInput>,
): Promise<AccessRequestOutput> {
  const { role, user, reason } = await planAccessRequest(ctx, input);
  let id: string;
  try {
    const [row] = await sqlOf(ctx.db).query<{ id: string }>(
      `INSERT INTO it.access_request
         (tenant_id, role_id, user_id, reason, approver_role, requested_by, requested_syscall)
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5::"Role", $6::uuid, $7) RETURNING id::text`,
      [
        ctx.tenantId,
        role.role.id,
        user.id,
        reason,
        role.role.approverRole,
        ctx.actor?.userId ?? null,
        ctx.syscallId ?? null,
      ],
    );
    if (!row) throw new Error("it.access_request: the insert returned no row");
    id = row.id;
  } catch (error) {
    if (hasSqlState(error, UNIQUE_VIOLATION))
      throw new AppError(
        "CONFLICT",
        `${user.name} already has an open request for ${role.app.name} / ${role.role.name}`,
        {
          cause: error,
        },
      );
    throw error;
  }
  if (ctx.actor !== null && !ctx.byKernel)
    await appendAudit(ctx.db, ctx.tenantId, {
      actor: await userActor(ctx.db, ctx.actor.userId),
      action: "it.access.requested",
      resource: {
        type: "access_request",
        id,
        label: `${role.app.name} / ${role.role.name} for ${user.name}`,
      },
      outcome: "succeeded",
      detail: { app: role.app.name, role: role.role.name, userId: user.id, reason },
    });
  const approverRole: Role | null = role.role.approverRole;
  return {
    requestId: id,
    appId: role.app.id,
    app: role.app.name,
    roleId: role.role.id,
    role: role.role.name,
    userId: user.id,
    status: "pending",
    approverRole,
  };
}

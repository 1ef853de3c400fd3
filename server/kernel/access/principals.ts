import type { Tx } from "@/server/db/client";
import { ROLES, type Role } from "@/server/tenancy/roles";
import type { Approver } from "./approval";
import type { AccessPrincipal, AccessResource, UserInfo } from "./entities";

/** Who asks, as server code names them; the kernel looks up everything else itself. */
export type PrincipalRef =
  | { type: "user"; userId: string }
  | { type: "agent"; agentId: string; actingForUserId: string; runId?: string };

/** A principal as found in the database, with the names the audit log and the UI show. */
export type ResolvedPrincipal = {
  access: AccessPrincipal;
  label: string;
  /** For an agent: the person it acts for. */
  actingFor?: { id: string; label: string };
  skill?: { id: string; name: string; version: string };
};

export type Unresolved = { problem: "unknown-user" | "unknown-agent" | "agent-disabled"; message: string };

/** Members of the tenant by user id, with their roles; users who are not members are left out. */
export async function loadMembers(tx: Tx, tenantId: string, userIds: readonly string[]) {
  const uuids = [...new Set(userIds)].filter((id) => UUID.test(id));
  if (uuids.length === 0) return new Map<string, UserInfo & { name: string }>();
  const rows = await tx.membership.findMany({
    where: { tenantId, userId: { in: uuids } },
    select: { role: true, user: { select: { id: true, email: true, name: true } } },
  });
  return new Map(
    rows.map((row) => [
      row.user.id,
      { id: row.user.id, email: row.user.email, name: row.user.name, roles: [row.role] },
    ]),
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Looks the principal up in this tenant. A user who is not a member, an agent of another tenant, or
 * an agent acting for someone outside the tenant is unresolved: the kernel denies and audits it.
 */
export async function resolvePrincipal(
  tx: Tx,
  tenantId: string,
  ref: PrincipalRef,
): Promise<ResolvedPrincipal | Unresolved> {
  if (ref.type === "user") {
    const member = (await loadMembers(tx, tenantId, [ref.userId])).get(ref.userId);
    if (!member) return { problem: "unknown-user", message: "The user is not a member of this tenant." };
    const { name, ...info } = member;
    return { access: { type: "User", ...info }, label: name };
  }
  const agent = UUID.test(ref.agentId)
    ? await tx.agent.findUnique({ where: { tenantId_id: { tenantId, id: ref.agentId } } })
    : null;
  if (!agent) return { problem: "unknown-agent", message: "No such agent in this tenant." };
  if (agent.disabledAt) return { problem: "agent-disabled", message: `${agent.name} is disabled.` };
  const actingFor = (await loadMembers(tx, tenantId, [ref.actingForUserId])).get(ref.actingForUserId);
  if (!actingFor)
    return {
      problem: "unknown-user",
      message: "The agent acts for someone who is not a member of this tenant.",
    };
  return {
    access: {
      type: "Agent",
      id: agent.id,
      name: agent.name,
      skill: {
        id: agent.skillId,
        name: agent.skillName,
        version: agent.skillVersion,
        publisher: agent.publisher,
      },
      actingForId: actingFor.id,
    },
    label: agent.name,
    actingFor: { id: actingFor.id, label: actingFor.name },
    skill: { id: agent.skillId, name: agent.skillName, version: agent.skillVersion },
  };
}

/** The users a resource points at (requester, submitter, …), which policies may look at. */
export function resourceUserIds(resource: AccessResource): string[] {
  const attrs: Record<string, unknown> = resource.attrs;
  return ["requesterId", "submitterId", "userId", "reporterId", "managerId"].flatMap((key) => {
    const value = attrs[key];
    return typeof value === "string" ? [value] : [];
  });
}

/** An approval as server code reports it: who said yes, in which capacity. */
export type ApprovalRef = { approver: Approver; userId: string };

const satisfiesRole = (held: Role, wanted: Role) =>
  held === wanted || (wanted === "admin" && held === "owner");

/**
 * Checks that each approval was given by someone entitled to give it: a member holding the role
 * (owners count as admins, as in the policies), or the manager of the person asking. Nobody approves
 * their own request, directly or through an agent acting for them. Returns the first problem.
 */
export async function verifyApprovals(
  tx: Tx,
  tenantId: string,
  principal: ResolvedPrincipal,
  approvals: readonly ApprovalRef[],
): Promise<{ ok: true; approvers: Approver[]; names: string[] } | { ok: false; message: string }> {
  const members = await loadMembers(
    tx,
    tenantId,
    approvals.map((a) => a.userId),
  );
  const asking = principal.access.type === "User" ? principal.access.id : principal.actingFor?.id;
  const askingInfo = principal.access.type === "User" ? principal.access : undefined;
  const names: string[] = [];
  for (const approval of approvals) {
    const member = members.get(approval.userId);
    if (!member)
      return {
        ok: false,
        message: `An approval for ${approval.approver} came from someone outside this tenant.`,
      };
    if (member.id === asking)
      return { ok: false, message: `${member.name} cannot approve their own request.` };
    const wanted = ROLES.find((role) => approval.approver === `role:${role}`);
    if (!wanted) {
      // Reporting lines come with the HR directory; until a manager is known, nobody approves as one.
      if (!askingInfo?.managerId || askingInfo.managerId !== member.id)
        return { ok: false, message: `${member.name} is not known to manage the person asking.` };
    } else {
      if (!member.roles.some((held) => satisfiesRole(held, wanted)))
        return {
          ok: false,
          message: `${member.name} cannot approve as ${wanted}: they are ${member.roles.join(", ")}.`,
        };
    }
    names.push(member.name);
  }
  return { ok: true, approvers: [...new Set(approvals.map((a) => a.approver))], names };
}

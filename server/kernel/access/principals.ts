import type { Tx } from "@/server/db/client";
import { z } from "zod";
import { sqlOf, uuidArrayLiteral, uuidLiteral, UUID_PATTERN, type Sql } from "@/server/db/sql";
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

export type Member = UserInfo & { name: string };

const agentRow = z.object({
  id: z.string(),
  name: z.string(),
  skillId: z.string(),
  skillName: z.string(),
  skillVersion: z.string(),
  publisher: z.string(),
  disabled: z.boolean(),
});
type AgentRow = z.infer<typeof agentRow>;

/**
 * What one syscall needs to know about people and agents, read in one round trip: the members among
 * `userIds`, the agent (when one asks), and the tenant's access version. A syscall is on the path of
 * every agent action, so it reads this once rather than row by row.
 */
export type Directory = {
  members: Map<string, Member>;
  agents: Map<string, AgentRow>;
  accessVersion: number;
};

/**
 * The directory query as complete SQL text (ids inlined as checked literals), so the kernel can send
 * it in the same round trip as BEGIN (server/db/scope.ts withTenantSql).
 */
export function directoryStatement(
  tenantId: string,
  userIds: readonly string[],
  agentIds: readonly string[] = [],
): string {
  // Ids that are not UUIDs name nobody; leaving them out keeps the literals valid.
  const users = uuidArrayLiteral([...new Set(userIds)].filter((id) => UUID_PATTERN.test(id)));
  const agents = uuidArrayLiteral([...new Set(agentIds)].filter((id) => UUID_PATTERN.test(id)));
  const tenant = uuidLiteral(tenantId);
  return `SELECT
      (SELECT s.version::text FROM "AccessState" s WHERE s."tenantId" = ${tenant}) AS version,
      (SELECT json_agg(json_build_object('id', u.id, 'email', u.email, 'name', u.name, 'role', m.role,
              'managerId', boss.user_id, 'department', d.name))
         FROM "Membership" m JOIN "User" u ON u.id = m."userId"
         -- Reporting lines from the HR directory (server/hr): the user behind the person's manager,
         -- unless that manager has left, and the person's department.
         LEFT JOIN hr.employee e ON e.tenant_id = m."tenantId" AND e.user_id = u.id
         LEFT JOIN hr.employee boss ON boss.tenant_id = e.tenant_id AND boss.id = e.manager_id
              AND boss.status <> 'terminated'
         LEFT JOIN hr.department d ON d.tenant_id = e.tenant_id AND d.id = e.department_id
        WHERE m."tenantId" = ${tenant} AND m."userId" = ANY(${users}) AND m."deactivatedAt" IS NULL) AS members,
      (SELECT json_agg(json_build_object('id', a.id, 'name', a.name, 'skillId', a."skillId",
              'skillName', a."skillName", 'skillVersion', a."skillVersion", 'publisher', a.publisher,
              'disabled', a."disabledAt" IS NOT NULL))
         FROM "Agent" a WHERE a."tenantId" = ${tenant} AND a.id = ANY(${agents})) AS agents`;
}

const directoryRow = z.object({
  version: z.string().nullable(),
  members: z
    .array(
      z.object({
        id: z.string(),
        email: z.string(),
        name: z.string(),
        role: z.enum(ROLES),
        managerId: z.string().nullish(),
        department: z.string().nullish(),
      }),
    )
    .nullable(),
  agents: z.array(agentRow).nullable(),
});

export function parseDirectory(rows: readonly unknown[]): Directory {
  const row = directoryRow.parse(rows[0]);
  const members = new Map<string, Member>();
  for (const m of row.members ?? [])
    members.set(m.id, {
      id: m.id,
      email: m.email,
      name: m.name,
      roles: [m.role],
      ...(m.managerId ? { managerId: m.managerId } : {}),
      ...(m.department ? { department: m.department } : {}),
    });
  const agents = new Map((row.agents ?? []).map((agent) => [agent.id, agent]));
  return { members, agents, accessVersion: Number(row.version ?? 0) };
}

export async function loadDirectory(
  sql: Sql,
  tenantId: string,
  userIds: readonly string[],
  agentIds: readonly string[] = [],
): Promise<Directory> {
  return parseDirectory(await sql.query(directoryStatement(tenantId, userIds, agentIds)));
}

/** Members of the tenant by user id, with their roles; users who are not members are left out. */
export async function loadMembers(tx: Tx, tenantId: string, userIds: readonly string[]) {
  return (await loadDirectory(sqlOf(tx), tenantId, userIds)).members;
}

/** The user ids a principal names: the user, or the person an agent acts for. */
export const principalUserIds = (ref: PrincipalRef) =>
  ref.type === "user" ? [ref.userId] : [ref.actingForUserId];

export const principalAgentIds = (ref: PrincipalRef) => (ref.type === "agent" ? [ref.agentId] : []);

/**
 * Looks the principal up in this tenant. A user who is not a member, an agent of another tenant, or
 * an agent acting for someone outside the tenant is unresolved: the kernel denies and audits it.
 */
export function resolvePrincipal(directory: Directory, ref: PrincipalRef): ResolvedPrincipal | Unresolved {
  if (ref.type === "user") {
    const member = directory.members.get(ref.userId);
    if (!member) return { problem: "unknown-user", message: "The user is not a member of this tenant." };
    const { name, ...info } = member;
    return { access: { type: "User", ...info }, label: name };
  }
  const agent = directory.agents.get(ref.agentId);
  if (!agent) return { problem: "unknown-agent", message: "No such agent in this tenant." };
  if (agent.disabled) return { problem: "agent-disabled", message: `${agent.name} is disabled.` };
  const actingFor = directory.members.get(ref.actingForUserId);
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
  return ["requesterId", "submitterId", "userId", "reporterId", "managerId", "bookerId", "hostId"].flatMap((key) => {
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
export function verifyApprovals(
  directory: Directory,
  principal: ResolvedPrincipal,
  approvals: readonly ApprovalRef[],
): { ok: true; approvers: Approver[] } | { ok: false; message: string } {
  const { members } = directory;
  const asking = principal.access.type === "User" ? principal.access.id : principal.actingFor?.id;
  const askingInfo = principal.access.type === "User" ? principal.access : undefined;
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
  }
  return { ok: true, approvers: [...new Set(approvals.map((a) => a.approver))] };
}

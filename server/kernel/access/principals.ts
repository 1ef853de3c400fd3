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
  /** The tenant's delegations that the syscall's approvals name (kernel.approval_delegation). */
  delegations: Map<string, Delegation>;
};

/** An approval delegation as the kernel checks it: who lets whom approve in their place, and when. */
export type Delegation = {
  id: string;
  fromUserId: string;
  toUserId: string;
  startsAt: Date;
  /** Null: until revoked. */
  endsAt: Date | null;
  revokedAt: Date | null;
};

/**
 * The directory query as complete SQL text (ids inlined as checked literals), so the kernel can send
 * it in the same round trip as BEGIN (server/db/scope.ts withTenantSql).
 */
export function directoryStatement(
  tenantId: string,
  userIds: readonly string[],
  agentIds: readonly string[] = [],
  /** Delegations named by approvals; their delegators are loaded as members too. */
  delegationIds: readonly string[] = [],
): string {
  // Ids that are not UUIDs name nobody; leaving them out keeps the literals valid.
  const uuids = (ids: readonly string[]) => [...new Set(ids)].filter((id) => UUID_PATTERN.test(id));
  const users = uuidArrayLiteral(uuids(userIds));
  const agents = uuidArrayLiteral(uuids(agentIds));
  const delegationList = uuids(delegationIds);
  const tenant = uuidLiteral(tenantId);
  // Most syscalls carry no delegated approval: they read no delegations and keep the plain member filter.
  const namedDelegations =
    delegationList.length === 0
      ? null
      : `FROM kernel.approval_delegation g WHERE g.tenant_id = ${tenant} AND g.id = ANY(${uuidArrayLiteral(delegationList)})`;
  const memberIds = namedDelegations ? `${users} || ARRAY(SELECT g.from_user_id ${namedDelegations})` : users;
  // Times as epoch milliseconds: a JSON number, whatever the session's DateStyle and time zone.
  const epochMs = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)`;
  const delegations = namedDelegations
    ? `(SELECT json_agg(json_build_object('id', g.id, 'fromUserId', g.from_user_id, 'toUserId', g.to_user_id,
              'startsAt', ${epochMs("g.starts_at")}, 'endsAt', ${epochMs("g.ends_at")},
              'revokedAt', ${epochMs("g.revoked_at")}))
         ${namedDelegations})`
    : "NULL::json";
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
        WHERE m."tenantId" = ${tenant} AND m."userId" = ANY(${memberIds}) AND m."deactivatedAt" IS NULL) AS members,
      (SELECT json_agg(json_build_object('id', a.id, 'name', a.name, 'skillId', a."skillId",
              'skillName', a."skillName", 'skillVersion', a."skillVersion", 'publisher', a.publisher,
              'disabled', a."disabledAt" IS NOT NULL))
         FROM "Agent" a WHERE a."tenantId" = ${tenant} AND a.id = ANY(${agents})) AS agents,
      ${delegations} AS delegations`;
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
  delegations: z
    .array(
      z.object({
        id: z.string(),
        fromUserId: z.string(),
        toUserId: z.string(),
        startsAt: z.number(),
        endsAt: z.number().nullable(),
        revokedAt: z.number().nullable(),
      }),
    )
    .nullish(),
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
  const at = (ms: number | null) => (ms === null ? null : new Date(ms));
  const delegations = new Map<string, Delegation>(
    (row.delegations ?? []).map((d) => [
      d.id,
      {
        id: d.id,
        fromUserId: d.fromUserId,
        toUserId: d.toUserId,
        startsAt: new Date(d.startsAt),
        endsAt: at(d.endsAt),
        revokedAt: at(d.revokedAt),
      },
    ]),
  );
  return { members, agents, accessVersion: Number(row.version ?? 0), delegations };
}

export async function loadDirectory(
  sql: Sql,
  tenantId: string,
  userIds: readonly string[],
  agentIds: readonly string[] = [],
  delegationIds: readonly string[] = [],
): Promise<Directory> {
  return parseDirectory(await sql.query(directoryStatement(tenantId, userIds, agentIds, delegationIds)));
}

/** The user and delegation ids a syscall's approvals name, for the directory read. */
export const approvalUserIds = (approvals: readonly ApprovalRef[]) => approvals.map((a) => a.userId);
export const approvalDelegationIds = (approvals: readonly ApprovalRef[]) =>
  approvals.flatMap((a) => (a.delegationId === undefined ? [] : [a.delegationId]));

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
  return ["requesterId", "submitterId", "userId", "reporterId", "managerId", "bookerId", "hostId"].flatMap(
    (key) => {
      const value = attrs[key];
      return typeof value === "string" ? [value] : [];
    },
  );
}

/**
 * An approval as server code reports it: who said yes, in which capacity, and, when they said yes in
 * another member's place, the delegation that lets them (kernel.approval_delegation, delegations.ts).
 */
export type ApprovalRef = { approver: Approver; userId: string; delegationId?: string };

const satisfiesRole = (held: Role, wanted: Role) =>
  held === wanted || (wanted === "admin" && held === "owner");

type Verdict = { ok: true } | { ok: false; message: string };

/** Whether `member` could give an approval as `approver` to `askingInfo`'s request themselves. */
function entitled(
  member: Member,
  approver: Approver,
  askingInfo: UserInfo | undefined,
  who: string,
): Verdict {
  const wanted = ROLES.find((role) => approver === `role:${role}`);
  if (!wanted) {
    // Reporting lines come with the HR directory; until a manager is known, nobody approves as one.
    return askingInfo?.managerId && askingInfo.managerId === member.id
      ? { ok: true }
      : { ok: false, message: `${who} is not known to manage the person asking.` };
  }
  return member.roles.some((held) => satisfiesRole(held, wanted))
    ? { ok: true }
    : { ok: false, message: `${who} cannot approve as ${wanted}: they are ${member.roles.join(", ")}.` };
}

/**
 * The member in whose capacity a delegated approval is given: the delegator, when the delegation is
 * this tenant's, names this approver as its delegate, and is in force at `now` ([starts, ends)).
 */
function delegator(
  directory: Directory,
  approval: ApprovalRef & { delegationId: string },
  member: Member,
  now: Date,
): { ok: true; from: Member } | { ok: false; message: string } {
  const delegation = directory.delegations.get(approval.delegationId);
  if (!delegation)
    return { ok: false, message: `${member.name} approved under a delegation this tenant does not have.` };
  if (delegation.toUserId !== member.id)
    return { ok: false, message: `${member.name} approved under a delegation to someone else.` };
  const from = directory.members.get(delegation.fromUserId);
  if (!from)
    return {
      ok: false,
      message: `${member.name}'s delegation is from someone who is no longer a member of this tenant.`,
    };
  // Revoked is revoked, whenever: a revocation takes effect at once, in every process.
  if (delegation.revokedAt)
    return { ok: false, message: `${member.name}'s delegation from ${from.name} was revoked.` };
  if (
    now.getTime() < delegation.startsAt.getTime() ||
    (delegation.endsAt !== null && now.getTime() >= delegation.endsAt.getTime())
  )
    return { ok: false, message: `${member.name}'s delegation from ${from.name} is not active now.` };
  return { ok: true, from };
}

/**
 * Checks that each approval was given by someone entitled to give it: a member holding the role
 * (owners count as admins, as in the policies), or the manager of the person asking, or a delegate of
 * such a member while the delegation is active (the delegator must qualify exactly as if they had
 * approved themselves). Nobody approves their own request, directly, through an agent acting for
 * them, or through someone they delegated to. Returns the first problem.
 */
export function verifyApprovals(
  directory: Directory,
  principal: ResolvedPrincipal,
  approvals: readonly ApprovalRef[],
  now: Date = new Date(),
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
    const { delegationId } = approval;
    if (delegationId === undefined) {
      const verdict = entitled(member, approval.approver, askingInfo, member.name);
      if (!verdict.ok) return verdict;
      continue;
    }
    const found = delegator(directory, { ...approval, delegationId }, member, now);
    if (!found.ok) return found;
    if (found.from.id === asking)
      return {
        ok: false,
        message: `${member.name} cannot approve for ${found.from.name}: it is ${found.from.name}'s own request.`,
      };
    const verdict = entitled(
      found.from,
      approval.approver,
      askingInfo,
      `${member.name} (for ${found.from.name})`,
    );
    if (!verdict.ok) return verdict;
  }
  return { ok: true, approvers: [...new Set(approvals.map((a) => a.approver))] };
}

/**
 * The approvals as the `syscall.decided` audit entry records them: who (by name, as the directory
 * has it now) and, for a delegated one, the delegation and the member it was given for.
 */
export function approvalsDetail(directory: Directory, approvals: readonly ApprovalRef[]) {
  return approvals.map((a) => {
    const label = directory.members.get(a.userId)?.name ?? null;
    if (a.delegationId === undefined) return { approver: a.approver, userId: a.userId, label };
    const fromUserId = directory.delegations.get(a.delegationId)?.fromUserId ?? null;
    const fromLabel = fromUserId === null ? null : (directory.members.get(fromUserId)?.name ?? null);
    return {
      approver: a.approver,
      userId: a.userId,
      label,
      delegationId: a.delegationId,
      delegator: fromUserId === null ? null : { userId: fromUserId, label: fromLabel },
    };
  });
}

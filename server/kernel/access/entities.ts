import { AppError } from "@/server/errors";
import type { Role } from "@/server/tenancy/roles";
import type { Approver } from "./approval";
import type { CedarRequest, EntityJson } from "./cedar";
import { ACTIONS, type ActionName, type Effect, type ResourceType } from "./schema";

/** A member of the tenant. Ids here are local (a user id); the tenant prefix is added when building. */
export type UserInfo = { id: string; email: string; roles: Role[]; managerId?: string; department?: string };
export type SkillInfo = { id: string; name: string; version: string; publisher: string };

export type AccessPrincipal =
  | ({ type: "User" } & UserInfo)
  | { type: "Agent"; id: string; name: string; skill: SkillInfo; actingForId: string };

type ResourceAttrs = {
  TimeOffRequest: { requesterId: string; days: number };
  Employee: { userId: string; managerId?: string };
  AppAccess: { userId: string; app: string };
  Device: Record<string, never>;
  Room: Record<string, never>;
  Desk: Record<string, never>;
  Equipment: Record<string, never>;
  Booking: { bookerId: string };
  MaintenanceTicket: { reporterId: string };
  Expense: { submitterId: string; amountCents: number; overBudget?: boolean };
  PurchaseRequest: { requesterId: string; amountCents: number; overBudget?: boolean };
  Visitor: { hostId: string };
  HttpEndpoint: { host: string };
  Webhook: Record<string, never>;
};

export type AccessResource = {
  [T in ResourceType]: { type: T; id: string; attrs: ResourceAttrs[T] };
}[ResourceType];

/**
 * One request to the enforcement point. The resource's type must be the one the action applies to
 * (checked when the request is built, and again by Cedar against the schema).
 */
export type AccessRequest = {
  principal: AccessPrincipal;
  action: ActionName;
  resource: AccessResource;
  /** `approvals`: approvers who already said yes to this request (the kernel verifies them). */
  context: { effect: Effect; now: Date; approvals?: readonly Approver[] };
};

/** Users the policies may look at beyond the principal, e.g. a time-off requester and their manager. */
export type RelatedEntities = { users?: UserInfo[] };

/**
 * The Cedar request and entity slice for one decision. Every tenant-scoped id gets the
 * `"<tenantId>/"` prefix here and only here (see schema.ts), so callers cannot forget it.
 */
export function toCedarRequest(
  tenantId: string,
  request: AccessRequest,
  related: RelatedEntities,
  approvals: readonly Approver[],
): CedarRequest {
  const scoped = (type: string, id: string) => ({
    __entity: { type: `Tenet::${type}`, id: `${tenantId}/${id}` },
  });
  const uid = (type: string, id: string) => ({ type: `Tenet::${type}`, id: `${tenantId}/${id}` });

  const userEntity = (user: UserInfo): EntityJson => ({
    uid: uid("User", user.id),
    attrs: {
      email: user.email,
      ...(user.managerId === undefined ? {} : { manager: scoped("User", user.managerId) }),
      ...(user.department === undefined ? {} : { department: user.department }),
    },
    parents: user.roles.map((role) => ({ type: "Tenet::Role", id: role })),
  });

  if (ACTIONS[request.action] !== request.resource.type)
    throw new AppError(
      "BAD_REQUEST",
      `${request.action} applies to ${ACTIONS[request.action]}, not ${request.resource.type}`,
    );

  const entities = new Map<string, EntityJson>();
  const add = (entity: EntityJson) => entities.set(JSON.stringify(entity.uid), entity);
  for (const user of related.users ?? []) add(userEntity(user));

  const { principal, resource } = request;
  if (principal.type === "User") add(userEntity(principal));
  else {
    add({
      uid: { type: "Tenet::Skill", id: principal.skill.id },
      attrs: {
        name: principal.skill.name,
        version: principal.skill.version,
        publisher: principal.skill.publisher,
      },
      parents: [],
    });
    add({
      uid: uid("Agent", principal.id),
      attrs: {
        name: principal.name,
        skill: { __entity: { type: "Tenet::Skill", id: principal.skill.id } },
        actingFor: scoped("User", principal.actingForId),
      },
      parents: [],
    });
  }
  add({ uid: uid(resource.type, resource.id), attrs: resourceAttrs(resource, scoped), parents: [] });

  return {
    principal: { type: principal.type, id: `${tenantId}/${principal.id}` },
    action: request.action,
    resource: { type: resource.type, id: `${tenantId}/${resource.id}` },
    context: {
      approvals: [...approvals],
      effect: request.context.effect,
      now: Math.floor(request.context.now.getTime() / 1000),
    },
    entities: [...entities.values()],
  };
}

const overBudget = (attrs: { overBudget?: boolean }): Record<string, boolean> =>
  attrs.overBudget === undefined ? {} : { overBudget: attrs.overBudget };

type Ref = (type: string, id: string) => { __entity: { type: string; id: string } };

function resourceAttrs(resource: AccessResource, ref: Ref): EntityJson["attrs"] {
  switch (resource.type) {
    case "TimeOffRequest":
      return { requester: ref("User", resource.attrs.requesterId), days: resource.attrs.days };
    case "Employee": {
      const { userId, managerId } = resource.attrs;
      return {
        user: ref("User", userId),
        ...(managerId === undefined ? {} : { manager: ref("User", managerId) }),
      };
    }
    case "AppAccess":
      return { user: ref("User", resource.attrs.userId), app: resource.attrs.app };
    case "MaintenanceTicket":
      return { reporter: ref("User", resource.attrs.reporterId) };
    case "Expense":
      return {
        submitter: ref("User", resource.attrs.submitterId),
        amountCents: resource.attrs.amountCents,
        ...overBudget(resource.attrs),
      };
    case "PurchaseRequest":
      return {
        requester: ref("User", resource.attrs.requesterId),
        amountCents: resource.attrs.amountCents,
        ...overBudget(resource.attrs),
      };
    case "Booking":
      return { booker: ref("User", resource.attrs.bookerId) };
    case "Visitor":
      return { host: ref("User", resource.attrs.hostId) };
    case "HttpEndpoint":
      return { host: resource.attrs.host };
    case "Device":
    case "Room":
    case "Desk":
    case "Equipment":
    case "Webhook":
      return {};
  }
}

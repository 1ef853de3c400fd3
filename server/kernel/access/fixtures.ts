import type { Role } from "@/server/tenancy/roles";
import type { AccessPrincipal, AccessRequest, AccessResource, UserInfo } from "./entities";
import { ACTIONS, type ActionName, type Effect } from "./schema";

/** Test support: a tenant, its people, and requests built from a few words. */
export const TENANT = "3f0c8a52-5d7e-4b61-9a0e-2f1d4c6b7a80";
export const OTHER_TENANT = "9b2e4d61-0c3a-4f85-8e17-6a5d2c9b0f34";
export const NOW = new Date("2026-11-21T10:00:00Z");

export const member = (role: Role, id = `u-${role}`, managerId?: string): UserInfo => ({
  id,
  email: `${id}@acme.example`,
  roles: [role],
  ...(managerId ? { managerId } : {}),
});

export const asPrincipal = (user: UserInfo): AccessPrincipal => ({ type: "User", ...user });

export const agent = (id: string, actingForId: string): AccessPrincipal => ({
  type: "Agent",
  id,
  name: `Agent ${id}`,
  skill: { id: "skill-hr-helper", name: "HR helper", version: "1.2.0", publisher: "Tenet Labs" },
  actingForId,
});

/** A resource of the type `action` applies to, "belonging to" `ownerId` (requester, submitter, …). */
export function resourceFor(
  action: ActionName,
  ownerId: string,
  options: { id?: string; amountCents?: number; overBudget?: boolean } = {},
) {
  const id = options.id ?? "r-1";
  const amountCents = options.amountCents ?? 5_000;
  // Absent unless given: a resource built without a budget check has no overBudget attribute at all.
  const overBudget = options.overBudget === undefined ? {} : { overBudget: options.overBudget };
  const type = ACTIONS[action];
  const resources: { [T in AccessResource["type"]]: Extract<AccessResource, { type: T }> } = {
    TimeOffRequest: { type: "TimeOffRequest", id, attrs: { requesterId: ownerId, days: 3 } },
    Employee: { type: "Employee", id, attrs: { userId: ownerId } },
    AppAccess: { type: "AppAccess", id, attrs: { userId: ownerId, app: "github" } },
    Device: { type: "Device", id, attrs: {} },
    Room: { type: "Room", id, attrs: {} },
    Desk: { type: "Desk", id, attrs: {} },
    Equipment: { type: "Equipment", id, attrs: {} },
    Booking: { type: "Booking", id, attrs: { bookerId: ownerId } },
    Visitor: { type: "Visitor", id, attrs: { hostId: ownerId } },
    HttpEndpoint: { type: "HttpEndpoint", id, attrs: { host: "api.example.com" } },
    Webhook: { type: "Webhook", id, attrs: {} },
    MaintenanceTicket: { type: "MaintenanceTicket", id, attrs: { reporterId: ownerId } },
    Expense: { type: "Expense", id, attrs: { submitterId: ownerId, amountCents, ...overBudget } },
    PurchaseRequest: {
      type: "PurchaseRequest",
      id,
      attrs: { requesterId: ownerId, amountCents, ...overBudget },
    },
  };
  return resources[type];
}

export const accessRequest = (
  principal: AccessPrincipal,
  action: ActionName,
  resource: AccessResource,
  effect: Effect = "write",
  now: Date = NOW,
): AccessRequest => ({ principal, action, resource, context: { effect, now } });

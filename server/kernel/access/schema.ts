import { ROLES } from "@/server/tenancy/roles";

/**
 * The Cedar schema every tenant's policies are validated and evaluated against.
 *
 * Entity ids: entities that belong to one tenant (users, agents, connectors and every business
 * resource) are named `"<tenantId>/<localId>"`, e.g. `Tenet::User::"<tenantId>/<userId>"`. A User
 * entity is therefore a person *in one tenant* (their membership), which is what roles attach to.
 * The prefix makes two things checkable without a database: a tenant's policy text cannot name
 * another tenant's entities (see validate.ts), and a request built for tenant A can never match a
 * literal written for tenant B. Roles and skills are global (`Tenet::Role::"admin"`,
 * `Tenet::Skill::"<skillId>"`): roles are a fixed enum, skills are marketplace-wide.
 */
export const NAMESPACE = "Tenet";

/** Business resources an action can act on, each with the action names that apply to it. */
export const ACTIONS = {
  "hr.timeoff.request": "TimeOffRequest",
  "hr.timeoff.approve": "TimeOffRequest",
  "hr.timeoff.cancel": "TimeOffRequest",
  "hr.employee.read": "Employee",
  "hr.employee.create": "Employee",
  "hr.employee.update": "Employee",
  "hr.employee.offboard": "Employee",
  "hr.remote.employee.read": "Employee",
  "hr.remote.employee.create": "Employee",
  "hr.remote.employee.update": "Employee",
  "it.access.request": "AppAccess",
  "it.access.grant": "AppAccess",
  "it.access.revoke": "AppAccess",
  "it.account.read": "AppAccess",
  "it.device.assign": "Device",
  "it.device.return": "Device",
  "facilities.room.book": "Room",
  "facilities.desk.book": "Desk",
  "facilities.equipment.book": "Equipment",
  "facilities.booking.cancel": "Booking",
  "facilities.ticket.create": "MaintenanceTicket",
  "facilities.ticket.update": "MaintenanceTicket",
  "facilities.visitor.register": "Visitor",
  "finance.expense.submit": "Expense",
  "finance.expense.approve": "Expense",
  "finance.purchase.request": "PurchaseRequest",
  "finance.purchase.approve": "PurchaseRequest",
  "finance.purchase.order": "PurchaseRequest",
  "http.get": "HttpEndpoint",
  "http.send": "HttpEndpoint",
  "webhook.send": "Webhook",
} as const;

export type ActionName = keyof typeof ACTIONS;
export type ResourceType = (typeof ACTIONS)[ActionName];

export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];
export const RESOURCE_TYPES = [...new Set(Object.values(ACTIONS))];

export function isActionName(name: string): name is ActionName {
  return Object.hasOwn(ACTIONS, name);
}

export function isResourceType(name: string): name is ResourceType {
  return (RESOURCE_TYPES as string[]).includes(name);
}

const RESOURCE_LABELS: Record<ResourceType, string> = {
  TimeOffRequest: "time-off request",
  Employee: "employee record",
  AppAccess: "app access",
  Device: "device",
  Room: "room",
  MaintenanceTicket: "maintenance ticket",
  Expense: "expense",
  PurchaseRequest: "purchase request",
  Desk: "desk",
  Equipment: "equipment",
  Booking: "booking",
  Visitor: "visitor",
  HttpEndpoint: "HTTP endpoint",
  Webhook: "webhook",
};

/** How people call a resource type: "time-off request" for TimeOffRequest. */
export const resourceLabel = (type: string) => (isResourceType(type) ? RESOURCE_LABELS[type] : type);

/** Entity types whose ids carry the tenant prefix (everything but roles, skills and actions). */
export const TENANT_SCOPED_TYPES: readonly string[] = ["User", "Agent", "Connector", ...RESOURCE_TYPES];

/** Policy ids the kernel writes for grants (grants.ts): "grant-<grantId>". Tenant text may not use them. */
export const GRANT_POLICY_PREFIX = "grant-";

/** What an action does to the world; destructive actions always need an admin's approval. */
export const EFFECTS = ["read", "write", "destructive"] as const;
export type Effect = (typeof EFFECTS)[number];

/**
 * Each action's effect and a label for people. The kernel puts the effect into every decision's
 * context from here, never from the caller, so nobody can call a destructive action a read.
 * Connector manifests (connectors/) declare the same per action, and the tool manager checks they agree.
 */
export const ACTION_INFO: { [A in ActionName]: { effect: Effect; label: string } } = {
  "hr.timeoff.request": { effect: "write", label: "request time off" },
  "hr.timeoff.approve": { effect: "write", label: "approve time off" },
  "hr.timeoff.cancel": { effect: "write", label: "cancel time off" },
  "hr.employee.read": { effect: "read", label: "read an employee record" },
  "hr.employee.create": { effect: "write", label: "create an employee record" },
  "hr.employee.update": { effect: "write", label: "update an employee record" },
  "hr.employee.offboard": { effect: "destructive", label: "offboard an employee" },
  "hr.remote.employee.read": { effect: "read", label: "read an employee in the external HRIS" },
  "hr.remote.employee.create": { effect: "write", label: "create an employee in the external HRIS" },
  "hr.remote.employee.update": { effect: "write", label: "update an employee in the external HRIS" },
  "it.access.request": { effect: "write", label: "request app access" },
  "it.access.grant": { effect: "write", label: "grant app access" },
  "it.access.revoke": { effect: "destructive", label: "revoke app access" },
  "it.account.read": { effect: "read", label: "look up accounts in an app" },
  "it.device.assign": { effect: "write", label: "assign a device" },
  "it.device.return": { effect: "write", label: "return a device" },
  "facilities.room.book": { effect: "write", label: "book a room" },
  "facilities.desk.book": { effect: "write", label: "book a desk" },
  "facilities.equipment.book": { effect: "write", label: "book equipment" },
  "facilities.booking.cancel": { effect: "write", label: "cancel a booking" },
  "facilities.ticket.create": { effect: "write", label: "report a maintenance issue" },
  "facilities.ticket.update": { effect: "write", label: "update a maintenance ticket" },
  "facilities.visitor.register": { effect: "write", label: "register a visitor" },
  "finance.expense.submit": { effect: "write", label: "submit an expense" },
  "finance.expense.approve": { effect: "write", label: "approve an expense" },
  "finance.purchase.request": { effect: "write", label: "request a purchase" },
  "finance.purchase.approve": { effect: "write", label: "approve a purchase" },
  "finance.purchase.order": { effect: "write", label: "issue a purchase order" },
  "http.get": { effect: "read", label: "read from an HTTP API" },
  "http.send": { effect: "write", label: "send to an HTTP API" },
  "webhook.send": { effect: "write", label: "send a webhook" },
};

const actionDeclarations = Object.entries(ACTIONS)
  .map(
    ([action, resource]) =>
      `  action "${action}" appliesTo { principal: [User, Agent], resource: ${resource}, context: RequestContext };`,
  )
  .join("\n");

export const SCHEMA_TEXT = `namespace ${NAMESPACE} {
  // Every request carries the same context. approvals: approvers who said yes to this request,
  // e.g. "manager", "role:admin" (see approval.ts); effect: "read" | "write" | "destructive", from
  // the action's declaration, never from the caller; now: epoch seconds.
  type RequestContext = { approvals: Set<String>, effect: String, now: Long };

  entity Role enum [${ROLES.map((role) => `"${role}"`).join(", ")}];
  entity User in [Role] { email: String, manager?: User, department?: String };
  entity Skill { name: String, version: String, publisher: String };
  entity Agent { name: String, skill: Skill, actingFor: User };
  entity Connector { name: String };

  entity Employee { user: User, manager?: User };
  entity TimeOffRequest { requester: User, days: Long };
  // overBudget: the amount would take its cost center past its budget (server/finance budget check).
  entity Expense { submitter: User, amountCents: Long, overBudget?: Bool };
  entity PurchaseRequest { requester: User, amountCents: Long, overBudget?: Bool };
  entity AppAccess { user: User, app: String };
  entity Room;
  entity Desk;
  entity Equipment;
  entity Booking { booker: User };
  entity Device;
  entity MaintenanceTicket { reporter: User };
  entity Visitor { host: User };
  entity HttpEndpoint { host: String };
  entity Webhook;

${actionDeclarations}
}
`;

import { z } from "zod";
import type { Role } from "@/server/db/generated/enums.ts";

export type { Role };

export const ROLES = [
  "owner",
  "admin",
  "approver",
  "employee",
  "publisher",
] as const satisfies readonly Role[];
export const roleSchema = z.enum(ROLES, "Choose one of: owner, admin, approver, employee, publisher");

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: "Full control, including other owners and the tenant itself",
  admin: "Manages members, workflows and settings",
  approver: "Approves requests routed to them",
  employee: "Submits and follows their own requests",
  publisher: "Publishes agent skills to the marketplace",
};

/** Roles that may edit access policies, grant agents permissions and decide their requests. */
export const ACCESS_MANAGERS = ["owner", "admin"] as const satisfies readonly Role[];

export function canManageAccess(role: Role): boolean {
  return (ACCESS_MANAGERS as readonly Role[]).includes(role);
}

/** Roles that may see the tenant's workflow runs, cancel and rerun them, and send test events. */
export const WORKFLOW_MANAGERS = ["owner", "admin"] as const satisfies readonly Role[];

export function canManageWorkflows(role: Role): boolean {
  return (WORKFLOW_MANAGERS as readonly Role[]).includes(role);
}

/** Roles that may manage members and invitations. */
export const MEMBER_MANAGERS = ["owner", "admin"] as const satisfies readonly Role[];

export function canManageMembers(role: Role): boolean {
  return (MEMBER_MANAGERS as readonly Role[]).includes(role);
}

/** The roles `actor` may give (by invitation or role change): owners any, admins any but owner. */
export function assignableRoles(actor: Role): Role[] {
  if (actor === "owner") return [...ROLES];
  if (actor === "admin") return ROLES.filter((r) => r !== "owner");
  return [];
}

/** Whether `actor` may change or remove a member who has `target`: only owners touch owners. */
export function canManageMember(actor: Role, target: Role): boolean {
  return assignableRoles(actor).includes(target);
}

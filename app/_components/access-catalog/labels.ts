import type { RouterOutputs } from "@/app/_lib/trpc-types";
import { ROLES, type Role } from "@/server/tenancy/roles";

export type CatalogApp = RouterOutputs["accessCatalog"]["apps"][number];
export type CatalogRole = CatalogApp["roles"][number];
export type ScimConnectionOption = RouterOutputs["accessCatalog"]["scimConnections"][number];

const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  approver: "Approver",
  employee: "Employee",
  publisher: "Publisher",
};

/** "" is no extra approver: the requester's manager approves alone (the request type's default rule). */
export const APPROVAL_OPTIONS = [
  { value: "", label: "Manager only (default)" },
  ...ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
];

/** Requests for a role go to the requester's manager, then to any member with the role's approver role. */
export const approvalWords = (role: Role | null) =>
  role === null ? "Manager only" : `Manager, then any ${ROLE_LABELS[role].toLowerCase()}`;

export const roleOf = (value: string): Role | null => ROLES.find((r) => r === value) ?? null;

export const connectionOptions = (connections: readonly ScimConnectionOption[]) => [
  { value: "", label: "None" },
  ...connections.map((c) => ({ value: c.id, label: c.name })),
];

export const th = "px-3 py-3 text-left text-xs font-semibold text-slate-700 uppercase";
export const td = "px-3 py-3 text-sm text-slate-800";

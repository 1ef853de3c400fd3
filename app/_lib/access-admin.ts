import type { Role } from "@/server/tenancy/roles";

/**
 * Who is shown the Policies and Grants pages and their sidebar links. The server is what refuses
 * everyone else (its `adminProcedure`: owners and admins); this mirrors that rule so members are not
 * shown pages that could only answer "forbidden". The server exports no predicate for it to import.
 */
export function canManageAccess(role: Role): boolean {
  return role === "owner" || role === "admin";
}

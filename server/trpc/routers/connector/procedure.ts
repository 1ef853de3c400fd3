import { ACCESS_MANAGERS } from "@/server/tenancy/roles";
import { roleProcedure, tenantProcedure } from "../../trpc";

/**
 * The Connectors page's procedures. Every member may browse the catalog (what the connectors are and
 * what their actions do); only owners and admins see and manage the tenant's connections and read the
 * calls made through a connector (they come from the audit log, which only they read).
 */
export const catalogProcedure = tenantProcedure;
export const connectionsProcedure = roleProcedure(ACCESS_MANAGERS);

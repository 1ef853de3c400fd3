import { roleProcedure, tenantProcedure } from "../../trpc";

/**
 * The People page's procedures. Every member reads the directory and the org chart; owners and admins
 * (server/hr/common.ts's HR managers) also see every field, leavers included, and import and export.
 */
export const directoryProcedure = tenantProcedure;
export const peopleManagerProcedure = roleProcedure(["owner", "admin"]);

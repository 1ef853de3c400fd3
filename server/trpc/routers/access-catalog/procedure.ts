import { ACCESS_MANAGERS } from "@/server/tenancy/roles";
import { roleProcedure } from "../../trpc";

/**
 * The Access catalog page's procedures, all for owners and admins (the domain checks again). Other
 * members get FORBIDDEN here rather than a filtered catalog: what they may ask for reaches them through
 * the Requests page's software-access form (request.catalog), which reads `listRequestable`.
 */
export const catalogManagerProcedure = roleProcedure(ACCESS_MANAGERS);

import { FACILITIES_MANAGERS } from "@/server/facilities/common";
import { roleProcedure, tenantProcedure } from "../../trpc";

/**
 * The Facilities page's procedures. Every member reads the sites, spaces, upcoming bookings and open
 * tickets; owners and admins (server/facilities/common.ts's managers) add sites and spaces, hold the
 * spaces' calendar feed links and see the day's visitors.
 */
export const memberProcedure = tenantProcedure;
export const managerProcedure = roleProcedure(FACILITIES_MANAGERS);

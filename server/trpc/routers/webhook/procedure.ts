import { ACCESS_MANAGERS } from "@/server/tenancy/roles";
import { roleProcedure } from "../../trpc";

/**
 * The webhooks connector's admin procedures. Webhooks carry the tenant's data out and let outsiders
 * start its workflows, so only owners and admins see or manage them (server/webhooks/input.ts checks
 * the same again in the domain functions).
 */
export const webhookProcedure = roleProcedure(ACCESS_MANAGERS);

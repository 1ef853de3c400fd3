import { routingRules } from "@/server/requests/routing";
import { adminProcedure } from "../../trpc";
import { listOutput } from "./list.types";

/** Each request type's approval levels, the tenant's own or the default. */
export const list = adminProcedure.output(listOutput).query(({ ctx }) => routingRules(ctx.scope));

import { listSites } from "@/server/facilities/spaces";
import { memberProcedure } from "./procedure";
import { sitesOutput } from "./sites.types";

/** The tenant's sites, by name. */
export const sites = memberProcedure.output(sitesOutput).query(({ ctx }) => listSites(ctx.scope));

import { createSite as create } from "@/server/facilities/spaces";
import { createSiteInput, createSiteOutput } from "./create-site.types";
import { managerProcedure } from "./procedure";

/** A new site; a name already in use is a conflict. */
export const createSite = managerProcedure
  .input(createSiteInput)
  .output(createSiteOutput)
  .mutation(({ ctx, input }) => create(ctx.scope, input));

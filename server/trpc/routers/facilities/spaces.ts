import { getSite, listSpaces } from "@/server/facilities/spaces";
import { spaceViewOf } from "./facilities.types";
import { memberProcedure } from "./procedure";
import { spacesInput, spacesOutput } from "./spaces.types";

/** A site's spaces (rooms, desks, equipment); another tenant's site is not found. */
export const spaces = memberProcedure
  .input(spacesInput)
  .output(spacesOutput)
  .query(async ({ ctx, input }) => {
    await getSite(ctx.scope.db, ctx.scope.tenantId, input.siteId);
    return (await listSpaces(ctx.scope, { siteId: input.siteId })).map(spaceViewOf);
  });

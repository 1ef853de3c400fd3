import { getSpace } from "@/server/facilities/spaces";
import { feedUrlInput, feedUrlOf, feedUrlOutput } from "./feed-url.types";
import { managerProcedure } from "./procedure";

/** A space's private calendar feed URL; another tenant's space is not found. */
export const feedUrl = managerProcedure
  .input(feedUrlInput)
  .output(feedUrlOutput)
  .query(async ({ ctx, input }) => {
    const space = await getSpace(ctx.scope.db, ctx.scope.tenantId, input.spaceId, true);
    if (space.feedToken === null) throw new Error("facilities: a space read with its token has none");
    return feedUrlOf(space.id, space.feedToken);
  });

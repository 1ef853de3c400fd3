import { rotateFeedToken as rotate } from "@/server/facilities/spaces";
import { feedUrlOf } from "./feed-url.types";
import { managerProcedure } from "./procedure";
import { rotateFeedTokenInput, rotateFeedTokenOutput } from "./rotate-feed-token.types";

/** A new feed URL for the space; the old one stops working at once. */
export const rotateFeedToken = managerProcedure
  .input(rotateFeedTokenInput)
  .output(rotateFeedTokenOutput)
  .mutation(async ({ ctx, input }) => {
    const space = await rotate(ctx.scope, input.spaceId);
    if (space.feedToken === null) throw new Error("facilities: a rotated space came back without its token");
    return feedUrlOf(space.id, space.feedToken);
  });

import { todaysVisitors as visitorsOfToday } from "@/server/facilities/visitors";
import { managerProcedure } from "./procedure";
import { todaysVisitorsInput, todaysVisitorsOutput } from "./todays-visitors.types";

/** A site's visitors for its local day, cancelled ones included; for reception (owners and admins). */
export const todaysVisitors = managerProcedure
  .input(todaysVisitorsInput)
  .output(todaysVisitorsOutput)
  .query(async ({ ctx, input }) =>
    (await visitorsOfToday(ctx.scope, { siteId: input.siteId })).map((v) => ({
      id: v.id,
      name: v.name,
      company: v.company,
      hostId: v.hostId,
      expectedAt: v.expectedAt,
      status: v.status,
      badgeNumber: v.badgeNumber,
    })),
  );

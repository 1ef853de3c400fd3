import { z } from "zod";
import { VISITOR_STATUSES } from "@/server/facilities/visitors";
import { siteIdInput } from "./facilities.types";

export const todaysVisitorsInput = z.object({ siteId: siteIdInput });
export const todaysVisitorsOutput = z.array(
  z.object({
    id: z.string(),
    name: z.string(),
    company: z.string().nullable(),
    hostId: z.string().nullable(),
    expectedAt: z.date(),
    status: z.enum(VISITOR_STATUSES),
    badgeNumber: z.string().nullable(),
  }),
);

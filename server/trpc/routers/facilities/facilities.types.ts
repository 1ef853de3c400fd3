import { z } from "zod";
import { SPACE_KINDS } from "@/server/facilities/spaces";
import { TICKET_PRIORITIES, TICKET_STATUSES } from "@/server/facilities/tickets";

export const siteIdInput = z.uuid("Choose a site");
export const spaceIdInput = z.uuid("Choose a space");

export const siteView = z.object({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  address: z.string(),
});

/** A space as every member sees it: never its feed token. */
export const spaceView = z.object({
  id: z.string(),
  siteId: z.string(),
  kind: z.enum(SPACE_KINDS),
  name: z.string(),
  capacity: z.number().int().nullable(),
  features: z.array(z.string()),
  bookable: z.boolean(),
});

export const spaceViewOf = (s: z.infer<typeof spaceView>): z.infer<typeof spaceView> => ({
  id: s.id,
  siteId: s.siteId,
  kind: s.kind,
  name: s.name,
  capacity: s.capacity,
  features: s.features,
  bookable: s.bookable,
});

export const ticketView = z.object({
  id: z.string(),
  siteId: z.string(),
  spaceId: z.string().nullable(),
  title: z.string(),
  priority: z.enum(TICKET_PRIORITIES),
  status: z.enum(TICKET_STATUSES),
  slaDueAt: z.date(),
  breached: z.boolean(),
  createdAt: z.date(),
});

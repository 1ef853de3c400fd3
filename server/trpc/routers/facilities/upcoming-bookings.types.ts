import { z } from "zod";
import { spaceIdInput } from "./facilities.types";

export const upcomingBookingsInput = z.object({
  spaceId: spaceIdInput,
  days: z
    .number("Use a number of days")
    .int("Use a whole number")
    .min(1, "At least 1")
    .max(92, "At most 92")
    .default(14),
});

export const upcomingBookingsOutput = z.array(
  z.object({
    occurrenceId: z.string(),
    bookingId: z.string(),
    start: z.date(),
    end: z.date(),
    /** Null for someone else's private booking: its time and holder show, never its title. */
    title: z.string().nullable(),
    holder: z.string(),
    recurring: z.boolean(),
  }),
);

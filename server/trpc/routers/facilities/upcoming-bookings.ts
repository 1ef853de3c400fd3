import { listBookings } from "@/server/facilities/bookings";
import { memberProcedure } from "./procedure";
import { upcomingBookingsInput, upcomingBookingsOutput } from "./upcoming-bookings.types";

/** A space's live occurrences from now on; the domain hides others' private titles. */
export const upcomingBookings = memberProcedure
  .input(upcomingBookingsInput)
  .output(upcomingBookingsOutput)
  .query(async ({ ctx, input }) => {
    const from = new Date();
    const to = new Date(from.getTime() + input.days * 86_400_000);
    const items = await listBookings(ctx.scope, {
      from: from.toISOString(),
      to: to.toISOString(),
      spaceId: input.spaceId,
    });
    return items
      .filter((b) => b.end > from)
      .map((b) => ({
        occurrenceId: b.occurrenceId,
        bookingId: b.bookingId,
        start: b.start,
        end: b.end,
        title: b.title,
        holder: b.holder,
        recurring: b.recurring,
      }));
  });

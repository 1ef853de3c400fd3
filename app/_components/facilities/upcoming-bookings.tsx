"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert } from "@/app/_components/ui/alert";
import { useTRPC } from "@/app/_lib/trpc";
import type { FacilitySpace } from "@/app/_lib/trpc-types";

const DAYS = 14;

/** A space's bookings over the next two weeks, on the site's clock; others' private titles are hidden. */
export function UpcomingBookings({ space, timeZone }: { space: FacilitySpace; timeZone: string }) {
  const trpc = useTRPC();
  const bookings = useQuery(trpc.facilities.upcomingBookings.queryOptions({ spaceId: space.id, days: DAYS }));
  const day = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone });
  const time = new Intl.DateTimeFormat(undefined, { timeStyle: "short", timeZone });

  if (bookings.isError) return <Alert>Could not load the bookings: {bookings.error.message}</Alert>;
  if (!bookings.data) return <p className="text-sm text-slate-600">Loading the bookings…</p>;
  if (bookings.data.length === 0)
    return (
      <p className="text-sm text-slate-600">
        {space.name} has no bookings in the next {DAYS} days.
      </p>
    );
  return (
    <ul aria-label={`Upcoming bookings of ${space.name}`} className="space-y-1 text-sm text-slate-800">
      {bookings.data.map((b) => (
        <li key={b.occurrenceId} className="flex flex-wrap gap-x-3">
          <span className="font-medium tabular-nums">
            {day.format(b.start)} {time.format(b.start)}–{time.format(b.end)}
          </span>
          <span>{b.title ?? <em className="text-slate-600">Private booking</em>}</span>
          <span className="text-slate-600">
            by {b.holder}
            {b.recurring ? " · repeats" : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}

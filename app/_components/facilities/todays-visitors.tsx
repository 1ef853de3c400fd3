"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert } from "@/app/_components/ui/alert";
import { useTRPC } from "@/app/_lib/trpc";
import type { FacilitySite, SiteVisitor } from "@/app/_lib/trpc-types";

const STATUS_LABELS: Record<SiteVisitor["status"], string> = {
  expected: "Expected",
  checked_in: "Checked in",
  checked_out: "Checked out",
  cancelled: "Cancelled",
};

/** The site's visitors for its local day, for reception (owners and admins). */
export function TodaysVisitors({ site }: { site: FacilitySite }) {
  const trpc = useTRPC();
  const visitors = useQuery(trpc.facilities.todaysVisitors.queryOptions({ siteId: site.id }));
  const time = new Intl.DateTimeFormat(undefined, { timeStyle: "short", timeZone: site.timeZone });
  const headingId = `visitors-${site.id}`;

  return (
    <section aria-labelledby={headingId} className="space-y-2">
      <h3 id={headingId} className="text-sm font-semibold text-slate-900">
        Today&apos;s visitors
      </h3>
      {visitors.isError ? <Alert>Could not load the visitors: {visitors.error.message}</Alert> : null}
      {!visitors.data ? (
        visitors.isError ? null : (
          <p className="text-sm text-slate-600">Loading the visitors…</p>
        )
      ) : visitors.data.length === 0 ? (
        <p className="text-sm text-slate-600">Nobody is expected today.</p>
      ) : (
        <ul className="space-y-1 text-sm text-slate-800">
          {visitors.data.map((v) => (
            <li key={v.id} className="flex flex-wrap gap-x-3">
              <span className="font-medium tabular-nums">{time.format(v.expectedAt)}</span>
              <span>
                {v.name}
                {v.company ? ` (${v.company})` : ""}
              </span>
              <span className="text-slate-600">
                {STATUS_LABELS[v.status]}
                {v.badgeNumber ? ` · badge ${v.badgeNumber}` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

"use client";

import { useQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SectionCard } from "@/app/_components/ui/card";
import { useTRPC } from "@/app/_lib/trpc";
import type { FacilitySite, FacilitySpace } from "@/app/_lib/trpc-types";
import { FeedLink } from "./feed-link";
import { KIND_LABELS, td, th } from "./labels";
import { TodaysVisitors } from "./todays-visitors";
import { UpcomingBookings } from "./upcoming-bookings";

type Open = { spaceId: string; panel: "bookings" | "feed" } | null;

/** One site: its spaces in a table, each with its upcoming bookings and, for admins, its calendar feed. */
export function SiteSpaces({ site, canManage }: { site: FacilitySite; canManage: boolean }) {
  const trpc = useTRPC();
  const spaces = useQuery(trpc.facilities.spaces.queryOptions({ siteId: site.id }));
  const [open, setOpen] = useState<Open>(null);
  const toggle = (spaceId: string, panel: "bookings" | "feed") =>
    setOpen((current) =>
      current?.spaceId === spaceId && current.panel === panel ? null : { spaceId, panel },
    );
  const headingId = `site-${site.id}`;
  const columns = canManage ? 6 : 5;

  return (
    <SectionCard
      id={headingId}
      title={site.name}
      description={[site.address, site.timeZone].filter((part) => part !== "").join(" · ")}
    >
      <div className="space-y-4">
        {spaces.isError ? <Alert>Could not load the spaces: {spaces.error.message}</Alert> : null}
        {!spaces.data ? (
          spaces.isError ? null : (
            <p className="text-sm text-slate-600">Loading the spaces…</p>
          )
        ) : spaces.data.length === 0 ? (
          <p className="text-sm text-slate-600">No spaces at this site yet.</p>
        ) : (
          <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-xs">
            <table className="min-w-full divide-y divide-slate-200">
              <caption className="sr-only">Spaces at {site.name}</caption>
              <thead className="bg-slate-50">
                <tr>
                  <th scope="col" className={`${th} pl-4 sm:pl-6`}>
                    Name
                  </th>
                  <th scope="col" className={th}>
                    Kind
                  </th>
                  <th scope="col" className={th}>
                    Capacity
                  </th>
                  <th scope="col" className={th}>
                    Features
                  </th>
                  <th scope="col" className={th}>
                    <span className="sr-only">Bookings</span>
                  </th>
                  {canManage ? (
                    <th scope="col" className={th}>
                      <span className="sr-only">Calendar feed</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {spaces.data.map((space) => (
                  <Fragment key={space.id}>
                    <SpaceRow
                      space={space}
                      canManage={canManage}
                      open={open?.spaceId === space.id ? open.panel : null}
                      onToggle={(panel) => toggle(space.id, panel)}
                    />
                    {open?.spaceId === space.id ? (
                      <tr>
                        <td
                          colSpan={columns}
                          id={`panel-${space.id}`}
                          className="bg-slate-50 px-4 py-4 sm:px-6"
                        >
                          {open.panel === "bookings" ? (
                            <UpcomingBookings space={space} timeZone={site.timeZone} />
                          ) : (
                            <FeedLink space={space} />
                          )}
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {canManage ? <TodaysVisitors site={site} /> : null}
      </div>
    </SectionCard>
  );
}

function SpaceRow({
  space,
  canManage,
  open,
  onToggle,
}: {
  space: FacilitySpace;
  canManage: boolean;
  open: "bookings" | "feed" | null;
  onToggle: (panel: "bookings" | "feed") => void;
}) {
  return (
    <tr>
      <th scope="row" className={`${td} pl-4 text-left font-medium text-slate-900 sm:pl-6`}>
        {space.name}
        {space.bookable ? null : (
          <span className="ml-2 text-xs font-normal text-slate-600">(not bookable)</span>
        )}
      </th>
      <td className={td}>{KIND_LABELS[space.kind]}</td>
      <td className={td}>{space.capacity ?? "—"}</td>
      <td className={td}>{space.features.length > 0 ? space.features.join(", ") : "—"}</td>
      <td className={td}>
        <Button
          variant="secondary"
          size="sm"
          aria-expanded={open === "bookings"}
          aria-controls={open === "bookings" ? `panel-${space.id}` : undefined}
          onClick={() => onToggle("bookings")}
        >
          Upcoming bookings<span className="sr-only"> of {space.name}</span>
        </Button>
      </td>
      {canManage ? (
        <td className={td}>
          <Button
            variant="secondary"
            size="sm"
            aria-expanded={open === "feed"}
            aria-controls={open === "feed" ? `panel-${space.id}` : undefined}
            onClick={() => onToggle("feed")}
          >
            Calendar feed<span className="sr-only"> of {space.name}</span>
          </Button>
        </td>
      ) : null}
    </tr>
  );
}

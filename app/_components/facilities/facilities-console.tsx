"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert } from "@/app/_components/ui/alert";
import { useTRPC } from "@/app/_lib/trpc";
import { AddSiteForm, AddSpaceForm } from "./add-forms";
import { SiteSpaces } from "./site-spaces";
import { TicketsList } from "./tickets-list";

/**
 * The Facilities page: every site with its spaces and their upcoming bookings, and the open maintenance
 * tickets, for every member; owners and admins also add sites and spaces, hold each space's calendar
 * feed link and see the day's visitors (the API refuses everyone else too).
 */
export function FacilitiesConsole({ tenantName, canManage }: { tenantName: string; canManage: boolean }) {
  const trpc = useTRPC();
  const sites = useQuery(trpc.facilities.sites.queryOptions());

  return (
    <div className="space-y-6">
      {sites.isError ? <Alert>Could not load the sites: {sites.error.message}</Alert> : null}
      {!sites.data ? (
        sites.isError ? null : (
          <p className="text-sm text-slate-600">Loading the sites…</p>
        )
      ) : sites.data.length === 0 ? (
        <p className="text-sm text-slate-600">
          {canManage
            ? `${tenantName} has no sites yet. Add the first one below.`
            : `${tenantName} has no sites yet; owners and admins add them.`}
        </p>
      ) : (
        sites.data.map((site) => <SiteSpaces key={site.id} site={site} canManage={canManage} />)
      )}
      {canManage ? (
        <div className="grid gap-6 lg:grid-cols-2">
          <AddSiteForm />
          <AddSpaceForm sites={sites.data ?? []} />
        </div>
      ) : null}
      <TicketsList sites={sites.data ?? []} />
    </div>
  );
}

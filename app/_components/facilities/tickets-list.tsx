"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert } from "@/app/_components/ui/alert";
import { SectionCard } from "@/app/_components/ui/card";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { FacilitySite, FacilityTicket } from "@/app/_lib/trpc-types";
import { PRIORITY_LABELS, TICKET_STATUS_LABELS, td, th } from "./labels";

const PRIORITY_TONES: Record<FacilityTicket["priority"], string> = {
  low: "bg-slate-100 text-slate-800",
  normal: "bg-sky-100 text-sky-900",
  high: "bg-amber-100 text-amber-900",
  urgent: "bg-red-100 text-red-900",
};

/** Maintenance tickets not yet resolved, soonest due first, with whether their SLA is breached. */
export function TicketsList({ sites }: { sites: readonly FacilitySite[] }) {
  const trpc = useTRPC();
  const tickets = useQuery(trpc.facilities.openTickets.queryOptions({}));
  const siteNames = new Map(sites.map((s) => [s.id, s.name]));

  return (
    <SectionCard
      id="tickets"
      title="Open maintenance tickets"
      description="Soonest due first. A ticket past its due time is breached until it is resolved."
    >
      {tickets.isError ? <Alert>Could not load the tickets: {tickets.error.message}</Alert> : null}
      {!tickets.data ? (
        tickets.isError ? null : (
          <p className="text-sm text-slate-600">Loading the tickets…</p>
        )
      ) : tickets.data.length === 0 ? (
        <p className="text-sm text-slate-600">No open tickets.</p>
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-xs">
          <table className="min-w-full divide-y divide-slate-200">
            <caption className="sr-only">Open maintenance tickets</caption>
            <thead className="bg-slate-50">
              <tr>
                <th scope="col" className={`${th} pl-4 sm:pl-6`}>
                  Title
                </th>
                <th scope="col" className={th}>
                  Site
                </th>
                <th scope="col" className={th}>
                  Priority
                </th>
                <th scope="col" className={th}>
                  Status
                </th>
                <th scope="col" className={th}>
                  Due
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {tickets.data.map((t) => (
                <tr key={t.id}>
                  <th scope="row" className={`${td} pl-4 text-left font-medium text-slate-900 sm:pl-6`}>
                    {t.title}
                  </th>
                  <td className={td}>{siteNames.get(t.siteId) ?? "—"}</td>
                  <td className={td}>
                    <span className={`rounded px-2 py-0.5 text-xs font-medium ${PRIORITY_TONES[t.priority]}`}>
                      {PRIORITY_LABELS[t.priority]}
                    </span>
                  </td>
                  <td className={td}>{TICKET_STATUS_LABELS[t.status]}</td>
                  <td className={td}>
                    {formatDateTime(t.slaDueAt)}
                    {t.breached ? (
                      <span className="ml-2 rounded bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-900">
                        SLA breached
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </SectionCard>
  );
}

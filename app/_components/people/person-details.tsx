"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { useTRPC } from "@/app/_lib/trpc";

/** One person from the directory, with their line of managers and their direct reports. */
export function PersonDetails({ employeeId, onClose }: { employeeId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const person = useQuery(trpc.hr.get.queryOptions({ employeeId }));
  if (person.isError) return <Alert>Could not load this person: {person.error.message}</Alert>;
  if (!person.data) return <p className="text-sm text-slate-600">Loading…</p>;
  const p = person.data;
  return (
    <section
      aria-label={`Details of ${p.name}`}
      className="space-y-3 rounded-lg border border-indigo-200 bg-white p-5 shadow-xs"
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 className="text-base font-semibold text-slate-900">{p.name}</h2>
          <p className="text-sm text-slate-700">
            {p.title || "No title"}
            {p.department ? ` · ${p.department}` : ""}
          </p>
        </div>
        <Button variant="ghost" size="sm" onClick={onClose}>
          Close
        </Button>
      </div>
      <dl className="grid gap-3 text-sm sm:grid-cols-2">
        <div>
          <dt className="font-medium text-slate-800">Reports to</dt>
          <dd className="text-slate-700">
            {p.managerChain.length > 0
              ? p.managerChain.map((m) => `${m.name}${m.title ? ` (${m.title})` : ""}`).join(" → ")
              : "Nobody: top of the org chart"}
          </dd>
        </div>
        <div>
          <dt className="font-medium text-slate-800">Direct reports</dt>
          <dd className="text-slate-700">
            {p.reports.length > 0 ? p.reports.map((r) => r.name).join(", ") : "None"}
          </dd>
        </div>
        {p.details ? (
          <>
            <div>
              <dt className="font-medium text-slate-800">Location and time zone</dt>
              <dd className="text-slate-700">
                {p.details.location || "—"} · {p.details.timeZone}
              </dd>
            </div>
            <div>
              <dt className="font-medium text-slate-800">Tenet account</dt>
              <dd className="text-slate-700">{p.details.userId ? "Linked" : "None yet"}</dd>
            </div>
          </>
        ) : null}
      </dl>
    </section>
  );
}

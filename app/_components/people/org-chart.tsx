"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert } from "@/app/_components/ui/alert";
import { useTRPC } from "@/app/_lib/trpc";
import type { OrgChartPerson } from "@/app/_lib/trpc-types";

/** The org chart as a nested list from the top: each person with their title, then their reports. */
export function OrgChart({ tenantName }: { tenantName: string }) {
  const trpc = useTRPC();
  const chart = useQuery(trpc.hr.orgChart.queryOptions());
  if (chart.isError) return <Alert>Could not load the org chart: {chart.error.message}</Alert>;
  if (!chart.data) return <p className="text-sm text-slate-600">Loading the org chart…</p>;
  if (chart.data.roots.length === 0)
    return <p className="text-sm text-slate-600">Nobody is in the org chart yet.</p>;
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-xs">
      <p className="mb-4 text-xs text-slate-600">
        {chart.data.people} {chart.data.people === 1 ? "person" : "people"}; someone whose manager has left
        shows at the top until they are reassigned.
      </p>
      <ul aria-label={`Org chart of ${tenantName}`} className="space-y-3">
        {chart.data.roots.map((person) => (
          <OrgChartNode key={person.id} person={person} />
        ))}
      </ul>
    </div>
  );
}

function OrgChartNode({ person }: { person: OrgChartPerson }) {
  return (
    <li>
      <div className="inline-block rounded-md border border-slate-200 bg-slate-50 px-3 py-2">
        <span className="text-sm font-semibold text-slate-900">{person.name}</span>
        <span className="block text-xs text-slate-600">
          {person.title || "No title"}
          {person.department ? ` · ${person.department}` : ""}
        </span>
      </div>
      {person.reports.length > 0 ? (
        <ul
          aria-label={`Reports of ${person.name}`}
          className="mt-3 ml-4 space-y-3 border-l border-slate-200 pl-4"
        >
          {person.reports.map((report) => (
            <OrgChartNode key={report.id} person={report} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

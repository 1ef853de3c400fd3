"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Alert } from "@/app/_components/ui/alert";
import { buttonClasses } from "@/app/_components/ui/button";
import { SectionCard } from "@/app/_components/ui/card";
import { linkClass } from "@/app/_components/ui/styles";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { RequestCatalogEntry } from "@/app/_lib/trpc-types";
import { isFinal } from "@/server/requests/types";
import { RequestStatusBadge } from "./badges";

const CATEGORIES: { id: RequestCatalogEntry["category"]; title: string }[] = [
  { id: "hr", title: "People and time off" },
  { id: "it", title: "IT" },
  { id: "facilities", title: "Facilities" },
  { id: "finance", title: "Finance" },
];

/** While any of the viewer's requests is still moving, the list refreshes itself this often. */
const LIVE_MS = 3_000;

/**
 * The Requests page: what can be asked for, by category (types for managers only to managers, owners
 * and admins), and the viewer's own requests with their status, refreshing while any is unfinished.
 */
export function RequestsConsole({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const catalog = useQuery(trpc.request.catalog.queryOptions());
  const mine = useQuery(
    trpc.request.mine.queryOptions(
      { limit: 50 },
      { refetchInterval: (q) => (q.state.data?.some((r) => !isFinal(r.status)) ? LIVE_MS : false) },
    ),
  );
  const available = (catalog.data ?? []).filter((e) => e.available);

  return (
    <div className="space-y-8">
      <SectionCard
        id="catalog-heading"
        title="Ask for something"
        description="Each request goes to the right people for approval and is then carried out for you."
      >
        {catalog.isError ? (
          <Alert>Could not load what can be requested: {catalog.error.message}</Alert>
        ) : null}
        {!catalog.data ? (
          catalog.isError ? null : (
            <p className="text-sm text-slate-600">Loading…</p>
          )
        ) : (
          <div className="space-y-6">
            {CATEGORIES.map((category) => {
              const entries = available.filter((e) => e.category === category.id);
              if (entries.length === 0) return null;
              return (
                <section key={category.id} aria-labelledby={`category-${category.id}`}>
                  <h3 id={`category-${category.id}`} className="text-sm font-semibold text-slate-700">
                    {category.title}
                  </h3>
                  <ul className="mt-2 grid gap-3 sm:grid-cols-2">
                    {entries.map((entry) => (
                      <li
                        key={entry.type}
                        className="flex flex-col justify-between gap-3 rounded-md border border-slate-200 p-4"
                      >
                        <div>
                          <p className="font-medium text-slate-900">{entry.title}</p>
                          <p className="mt-1 text-sm text-slate-600">{entry.description}</p>
                        </div>
                        <Link
                          href={`/t/${slug}/requests/new/${entry.type}`}
                          className={`${buttonClasses("secondary", "sm")} self-start`}
                          aria-label={`Request ${entry.title}`}
                        >
                          Request
                        </Link>
                      </li>
                    ))}
                  </ul>
                </section>
              );
            })}
          </div>
        )}
      </SectionCard>

      <SectionCard
        id="mine-heading"
        title="My requests"
        description="Newest first. This list updates by itself while a request is under way."
      >
        {mine.isError ? <Alert>Could not load your requests: {mine.error.message}</Alert> : null}
        {!mine.data ? (
          mine.isError ? null : (
            <p className="text-sm text-slate-600">Loading…</p>
          )
        ) : mine.data.length === 0 ? (
          <p className="text-sm text-slate-600">You have not asked for anything yet.</p>
        ) : (
          <ul className="divide-y divide-slate-200" aria-label="My requests">
            {mine.data.map((r) => (
              <li key={r.id} className="flex flex-wrap items-start justify-between gap-3 py-3">
                <div className="min-w-0">
                  <Link href={`/t/${slug}/requests/${r.id}`} className={linkClass}>
                    {r.title}
                  </Link>
                  <p className="text-xs text-slate-600">
                    {r.typeTitle} · {formatDateTime(r.createdAt)}
                  </p>
                  {r.status === "waiting" && r.waitingFor ? (
                    <p className="text-sm text-slate-700">{r.waitingFor}</p>
                  ) : null}
                  {(r.status === "rejected" || r.status === "failed") && r.outcome ? (
                    <p className="text-sm text-red-800">{r.outcome}</p>
                  ) : null}
                </div>
                <RequestStatusBadge status={r.status} />
              </li>
            ))}
          </ul>
        )}
      </SectionCard>
    </div>
  );
}

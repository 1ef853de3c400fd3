"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect } from "react";
import { linkClass } from "@/app/_components/ui/styles";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppClientError } from "@/app/_lib/trpc-errors";
import type { RunsListInput, RunSummaryView } from "@/app/_lib/trpc-types";
import { RunStatusBadge } from "./run-status-badge";
import { elapsedMs, formatElapsed } from "./run-view";
import { RunsError } from "./runs-error";
import { LoadMore } from "@/app/_components/ui/load-more";

const headerClass = "px-3 py-3 text-left text-xs font-semibold text-slate-700 uppercase";
/** While a listed run is still running, the list is read again this often. */
const RUNNING_REFRESH_MS = 3_000;

/** The tenant's runs matching the filter, newest first, a page at a time. */
export function RunsList({
  slug,
  filter,
  onError,
}: {
  slug: string;
  filter: RunsListInput;
  onError: (error: AppClientError | null) => void;
}) {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.runs.list.infiniteQueryOptions(filter, {
      getNextPageParam: (page) => page.nextCursor,
      refetchInterval: (query) =>
        query.state.data?.pages.some((p) => p.runs.some((r) => r.status === "running"))
          ? RUNNING_REFRESH_MS
          : false,
    }),
  );
  // The filter form shows errors about its fields next to them.
  useEffect(() => onError(list.error), [list.error, onError]);

  if (list.isError) return <RunsError error={list.error} doing="load the runs" />;
  if (!list.data) return <p className="text-sm text-slate-600">Loading runs…</p>;
  const runs = list.data.pages.flatMap((p) => p.runs);
  if (runs.length === 0) return <p className="text-sm text-slate-600">No runs match these filters.</p>;

  return (
    <div className="space-y-4">
      <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full divide-y divide-slate-200">
          <caption className="sr-only">Workflow runs, newest first</caption>
          <thead className="bg-slate-50">
            <tr>
              <th scope="col" className={headerClass}>
                Function
              </th>
              <th scope="col" className={headerClass}>
                Status
              </th>
              <th scope="col" className={headerClass}>
                Triggered by
              </th>
              <th scope="col" className={headerClass}>
                Queued
              </th>
              <th scope="col" className={headerClass}>
                Took
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200">
            {runs.map((run) => (
              <RunRow key={run.id} slug={slug} run={run} />
            ))}
          </tbody>
        </table>
      </div>
      <LoadMore list={list} endText="That is every matching run." />
    </div>
  );
}

function RunRow({ slug, run }: { slug: string; run: RunSummaryView }) {
  const took = run.endedAt ? elapsedMs(run.startedAt ?? run.createdAt, run.endedAt) : null;
  return (
    <tr className="align-top">
      <td className="px-3 py-3 text-sm">
        <Link href={`/t/${slug}/runs/${run.id}`} className={linkClass}>
          {run.functionName}
        </Link>
        <p className="mt-0.5 font-mono text-xs text-slate-600">{run.id}</p>
      </td>
      <td className="px-3 py-3 text-sm">
        <RunStatusBadge status={run.status} />
      </td>
      <td className="px-3 py-3 font-mono text-xs break-all text-slate-800">{run.eventName}</td>
      <td className="px-3 py-3 text-sm whitespace-nowrap text-slate-700">
        <time dateTime={run.createdAt}>{formatDateTime(new Date(run.createdAt))}</time>
      </td>
      <td className="px-3 py-3 text-sm whitespace-nowrap text-slate-700">
        {took === null ? (run.status === "running" ? "Still running" : "–") : formatElapsed(took)}
      </td>
    </tr>
  );
}

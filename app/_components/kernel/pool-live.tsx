"use client";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { useTRPC } from "@/app/_lib/trpc";
import type { KernelPool, KernelStatsWindow } from "@/app/_lib/trpc-types";
import { formatFairness, formatNumber, formatWait } from "./pool-view";
import { SeriesChart } from "./series-chart";
import { TenantsTable } from "./tenants-table";

/** The pool's numbers are read again this often while the page is open. */
export const LIVE_REFRESH_MS = 3_000;

/** A pool's live numbers, its tenants and its 30-minute charts, refreshed every few seconds. */
export function PoolLive({
  pool,
  windowMinutes,
  canEdit,
  tenantName,
}: {
  pool: KernelPool;
  windowMinutes: KernelStatsWindow;
  canEdit: boolean;
  tenantName: string;
}) {
  const trpc = useTRPC();
  const stats = useQuery({
    ...trpc.kernel.stats.queryOptions({ poolId: pool.id, windowMinutes }),
    refetchInterval: LIVE_REFRESH_MS,
    // Keep showing the last numbers while a new window's load, instead of flashing "Loading".
    placeholderData: (previous) => previous,
  });

  if (stats.isError && !stats.data) return <Alert>Could not load the numbers: {stats.error.message}</Alert>;
  if (!stats.data) return <p className="text-sm text-slate-600">Loading the numbers…</p>;
  const s = stats.data;
  const updated = new Date(stats.dataUpdatedAt);

  return (
    <div className="space-y-5">
      <dl aria-label={`${pool.label} now`} className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Figure term="Queued now" hint="Waiting for a slot, all tenants">
          {s.queued}
        </Figure>
        <Figure term="Running now" hint={`Of ${pool.concurrency} at once`}>
          {s.running}
        </Figure>
        <Figure term="Throughput" hint={`Per minute, last ${windowMinutes} min`}>
          {formatNumber(s.throughputPerMinute)}
        </Figure>
        <Figure
          term="Fairness (Jain's index)"
          hint={
            s.fairness === null ? "No demand in this window" : "1.00: every tenant got its weighted share"
          }
        >
          {formatFairness(s.fairness)}
        </Figure>
      </dl>
      {stats.isError ? (
        <Alert>Could not refresh the numbers: {stats.error.message}. Showing the last ones read.</Alert>
      ) : null}

      <div className="space-y-2">
        <h4 className="text-sm font-semibold text-slate-900">
          {canEdit ? "Tenants" : `${tenantName} in this pool`}
        </h4>
        {s.tenants.length === 0 ? (
          <p className="text-sm text-slate-600">
            {canEdit
              ? `No tenant has used this pool in the last ${windowMinutes} minutes.`
              : `${tenantName} has not used this pool in the last ${windowMinutes} minutes.`}
          </p>
        ) : (
          <TenantsTable
            poolId={pool.id}
            poolLabel={pool.label}
            tenants={s.tenants}
            windowMinutes={windowMinutes}
            canEdit={canEdit}
          />
        )}
        <p className="text-xs text-slate-600">
          Served and waits over the last {windowMinutes} minutes; a wait is the time a syscall spent queued.
          {canEdit
            ? " Weights count under weighted fair share."
            : " Other tenants' numbers are for the platform's operators."}
        </p>
      </div>

      <div className="grid gap-4 sm:grid-cols-3">
        <SeriesChart
          title="Granted per minute"
          kind="bars"
          values={s.series.map((p) => p.granted)}
          format={(v) => formatNumber(v)}
        />
        <SeriesChart
          title="Queue depth"
          kind="line"
          values={s.series.map((p) => p.queueDepth)}
          format={(v) => formatNumber(v)}
        />
        <SeriesChart
          title="Wait p95"
          kind="line"
          values={s.series.map((p) => p.waitP95Ms)}
          format={formatWait}
        />
      </div>
      <p className="text-xs text-slate-600">
        Live: updating every {LIVE_REFRESH_MS / 1000} seconds; last read at{" "}
        <time dateTime={updated.toISOString()}>{updated.toLocaleTimeString()}</time>.
      </p>
    </div>
  );
}

function Figure({ term, hint, children }: { term: string; hint: string; children: ReactNode }) {
  return (
    <div className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2">
      <dt className="text-xs font-medium text-slate-600">{term}</dt>
      <dd className="mt-1 text-2xl font-semibold text-slate-900 tabular-nums">{children}</dd>
      <dd className="text-xs text-slate-600">{hint}</dd>
    </div>
  );
}

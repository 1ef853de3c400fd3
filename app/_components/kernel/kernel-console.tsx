"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { SelectField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import type { KernelStatsWindow } from "@/app/_lib/trpc-types";
import { PoolCard } from "./pool-card";

const WINDOWS: readonly { value: KernelStatsWindow; label: string }[] = [
  { value: 5, label: "Last 5 minutes" },
  { value: 15, label: "Last 15 minutes" },
  { value: 60, label: "Last hour" },
];

/** Pools are read again this often: a provider's 429 pauses one, and another operator may change one. */
const POOLS_REFRESH_MS = 5_000;

/** The Kernel page: every resource pool, with its settings and live numbers over the chosen window. */
export function KernelConsole({ tenantName }: { tenantName: string }) {
  const trpc = useTRPC();
  const [windowMinutes, setWindowMinutes] = useState<KernelStatsWindow>(15);
  const pools = useQuery({ ...trpc.kernel.pools.queryOptions(), refetchInterval: POOLS_REFRESH_MS });
  const now = useNow(POOLS_REFRESH_MS);

  if (pools.isError && !pools.data)
    return <Alert>Could not load the resource pools: {pools.error.message}</Alert>;
  if (!pools.data) return <p className="text-sm text-slate-600">Loading the resource pools…</p>;
  const { canEdit } = pools.data;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <p role="note" className="max-w-2xl text-sm text-slate-700">
          {canEdit
            ? `You operate the platform: you change the pools' policies and limits and tenants' weights for every tenant, and you see every tenant's numbers. Changes are recorded in the audit log of ${tenantName}.`
            : `Pools are shared by every tenant, so only the platform's operators change them. You see ${tenantName}'s own numbers and the pools' totals.`}
        </p>
        <SelectField
          label="Window"
          name="window"
          className="w-48"
          value={String(windowMinutes)}
          onChange={(e) => {
            const chosen = WINDOWS.find((w) => String(w.value) === e.target.value);
            if (chosen) setWindowMinutes(chosen.value);
          }}
          options={WINDOWS.map((w) => ({ value: String(w.value), label: w.label }))}
        />
      </div>
      {pools.isError ? (
        <Alert>
          Could not refresh the resource pools: {pools.error.message}. Showing the last ones read.
        </Alert>
      ) : null}
      {pools.data.pools.length === 0 ? (
        <p className="text-sm text-slate-600">There are no resource pools yet.</p>
      ) : (
        pools.data.pools.map((pool) => (
          <PoolCard
            key={pool.id}
            pool={pool}
            canEdit={canEdit}
            windowMinutes={windowMinutes}
            tenantName={tenantName}
            now={now}
          />
        ))
      )}
    </div>
  );
}

/** The current time, ticking, for whether a pool's pause has ended. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { KernelPool, KernelStatsWindow } from "@/app/_lib/trpc-types";
import { POLICY_INFO } from "@/server/kernel/scheduler/policy";
import { PoolLive } from "./pool-live";
import { PoolSettingsForm } from "./pool-settings-form";
import { appliesTo, formatSetting, LIMITS, SETTING_INFO, type SettingChange } from "./pool-view";

const KIND_LABELS: Record<KernelPool["kind"], string> = { model: "Model", connector: "Connector" };

/** One resource pool: what it is, its policy and limits (editable by operators), and its live numbers. */
export function PoolCard({
  pool,
  canEdit,
  windowMinutes,
  tenantName,
  now,
}: {
  pool: KernelPool;
  canEdit: boolean;
  windowMinutes: KernelStatsWindow;
  tenantName: string;
  now: number;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  // A new key opens the form afresh from the pool as it is now (after loading someone else's change).
  const [formKey, setFormKey] = useState(0);
  const [saved, setSaved] = useState<SettingChange[] | null>(null);
  const headingId = `pool-${pool.id.replace(/[^a-z0-9-]/g, "-")}-heading`;
  const refreshPools = () => queryClient.invalidateQueries({ queryKey: trpc.kernel.pools.queryKey() });
  const paused = pool.pausedUntil !== null && pool.pausedUntil.getTime() > now;

  return (
    <section
      aria-labelledby={headingId}
      className="rounded-lg border border-slate-200 bg-white p-6 shadow-xs"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id={headingId} className="text-base font-semibold text-slate-900">
            {pool.label}
          </h2>
          <p className="mt-0.5 text-xs text-slate-600">
            <span className="inline-flex items-center rounded-full bg-slate-100 px-2 py-0.5 font-medium text-slate-800 ring-1 ring-slate-300 ring-inset">
              {KIND_LABELS[pool.kind]}
            </span>{" "}
            <span className="font-mono">{pool.id}</span> · version {pool.version}, changed{" "}
            <time dateTime={pool.updatedAt.toISOString()}>{formatDateTime(pool.updatedAt)}</time>
          </p>
        </div>
        {canEdit && !editing ? (
          <Button
            variant="secondary"
            size="sm"
            aria-label={`Change the settings of ${pool.label}`}
            onClick={() => {
              setSaved(null);
              setFormKey((k) => k + 1);
              setEditing(true);
            }}
          >
            Change settings
          </Button>
        ) : null}
      </div>

      <div className="mt-4 space-y-6">
        {saved ? (
          <Alert tone="success">
            Saved {pool.label}: {saved.map((c) => `${c.label.toLowerCase()} ${c.from} → ${c.to}`).join(", ")}.
          </Alert>
        ) : null}

        {editing ? (
          <PoolSettingsForm
            key={formKey}
            pool={pool}
            onCancel={() => setEditing(false)}
            onSaved={async (changes) => {
              await refreshPools();
              setSaved(changes);
              setEditing(false);
            }}
            onReload={() => {
              void refreshPools().then(() => setFormKey((k) => k + 1));
            }}
          />
        ) : (
          <PoolSettings pool={pool} />
        )}

        <dl aria-label={`Dispatch state of ${pool.label}`} className="flex flex-wrap gap-x-6 gap-y-1 text-sm">
          <div className="flex gap-1.5">
            <dt className="text-slate-600">State</dt>
            <dd className="font-medium text-slate-900">
              {paused && pool.pausedUntil ? (
                <>
                  Paused until{" "}
                  <time dateTime={pool.pausedUntil.toISOString()}>{formatDateTime(pool.pausedUntil)}</time>{" "}
                  (the provider answered 429 Too Many Requests)
                </>
              ) : (
                "Dispatching"
              )}
            </dd>
          </div>
          <div className="flex gap-1.5">
            <dt className="text-slate-600">429 answers</dt>
            <dd className="font-medium text-slate-900 tabular-nums">
              {pool.rateLimitedTotal.toLocaleString("en")}
            </dd>
          </div>
          <div className="flex gap-1.5">
            <dt className="text-slate-600">Retries</dt>
            <dd className="font-medium text-slate-900 tabular-nums">
              {pool.retriesTotal.toLocaleString("en")}
            </dd>
          </div>
        </dl>

        <div className="border-t border-slate-200 pt-5">
          <h3 className="sr-only">Live numbers of {pool.label}</h3>
          <PoolLive pool={pool} windowMinutes={windowMinutes} canEdit={canEdit} tenantName={tenantName} />
        </div>
      </div>
    </section>
  );
}

/** The pool's policy (with what it means) and limits, read-only. */
function PoolSettings({ pool }: { pool: KernelPool }) {
  const info = POLICY_INFO[pool.policy];
  return (
    <div className="space-y-3">
      <div>
        <p className="text-sm text-slate-600">Policy</p>
        <p className="text-sm font-semibold text-slate-900">{info.label}</p>
        <p className="text-sm text-slate-700">{info.description}</p>
      </div>
      <dl aria-label={`Limits of ${pool.label}`} className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-3">
        {LIMITS.map((key) => (
          <Setting key={key} term={SETTING_INFO[key].label}>
            {formatSetting(key, pool[key])}
          </Setting>
        ))}
        {(["agingPerSecond", "defaultDeadlineMs"] as const)
          .filter((key) => appliesTo(key, pool.policy))
          .map((key) => (
            <Setting key={key} term={SETTING_INFO[key].label}>
              {formatSetting(key, pool[key])}
            </Setting>
          ))}
      </dl>
    </div>
  );
}

function Setting({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-slate-600">{term}</dt>
      <dd className="font-medium text-slate-900 tabular-nums">{children}</dd>
    </div>
  );
}

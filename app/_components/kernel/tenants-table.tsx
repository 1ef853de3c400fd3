"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { KernelTenantStats } from "@/app/_lib/trpc-types";
import { formatNumber, formatWait } from "./pool-view";

const headerClass = "px-3 py-2 text-left text-xs font-semibold text-slate-700 uppercase";
const numberHeaderClass = "px-3 py-2 text-right text-xs font-semibold text-slate-700 uppercase";
const cellClass = "px-3 py-2 text-right text-sm whitespace-nowrap text-slate-800 tabular-nums";

/** Per tenant: weight, what waits and runs now, what was served and how long it waited. */
export function TenantsTable({
  poolId,
  poolLabel,
  tenants,
  windowMinutes,
  canEdit,
}: {
  poolId: string;
  poolLabel: string;
  tenants: readonly KernelTenantStats[];
  windowMinutes: number;
  canEdit: boolean;
}) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200">
      <table className="min-w-full divide-y divide-slate-200">
        <caption className="sr-only">
          Tenants using {poolLabel} in the last {windowMinutes} minutes
        </caption>
        <thead className="bg-slate-50">
          <tr>
            <th scope="col" className={headerClass}>
              Tenant
            </th>
            <th scope="col" className={numberHeaderClass}>
              Weight
            </th>
            <th scope="col" className={numberHeaderClass}>
              Queued
            </th>
            <th scope="col" className={numberHeaderClass}>
              Running
            </th>
            <th scope="col" className={numberHeaderClass}>
              Served
            </th>
            <th scope="col" className={numberHeaderClass}>
              Wait p50
            </th>
            <th scope="col" className={numberHeaderClass}>
              Wait p95
            </th>
            <th scope="col" className={numberHeaderClass}>
              Wait p99
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 bg-white">
          {tenants.map((tenant) => (
            <tr key={tenant.tenantId} className="align-top">
              <th scope="row" className="px-3 py-2 text-left text-sm font-medium text-slate-900">
                {tenant.name}
              </th>
              <td className={cellClass}>
                {canEdit ? (
                  <WeightEditor poolId={poolId} poolLabel={poolLabel} tenant={tenant} />
                ) : (
                  formatNumber(tenant.weight)
                )}
              </td>
              <td className={cellClass}>{tenant.queued}</td>
              <td className={cellClass}>{tenant.running}</td>
              <td className={cellClass}>{tenant.served}</td>
              <td className={cellClass}>{formatWait(tenant.waitP50Ms)}</td>
              <td className={cellClass}>{formatWait(tenant.waitP95Ms)}</td>
              <td className={cellClass}>{formatWait(tenant.waitP99Ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const WEIGHT_FIELDS = ["weight"] as const;

/** An operator's editor for one tenant's weight in the pool: the number, then a small form. */
function WeightEditor({
  poolId,
  poolLabel,
  tenant,
}: {
  poolId: string;
  poolLabel: string;
  tenant: KernelTenantStats;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState("");
  const [clientError, setClientError] = useState<string | null>(null);
  const save = useMutation(
    trpc.kernel.setTenantWeight.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.kernel.stats.pathKey() });
        setEditing(false);
      },
    }),
  );
  const errors = formErrors(save.error, WEIGHT_FIELDS);

  if (!editing)
    return (
      <span className="inline-flex items-center gap-2">
        {formatNumber(tenant.weight)}
        <Button
          variant="ghost"
          size="sm"
          aria-label={`Change the weight of ${tenant.name}`}
          onClick={() => {
            setValue(String(tenant.weight));
            setClientError(null);
            save.reset();
            setEditing(true);
          }}
        >
          Change
        </Button>
      </span>
    );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const weight = Number(value.trim());
    if (value.trim() === "" || !Number.isFinite(weight)) {
      setClientError("Enter a number");
      return;
    }
    setClientError(null);
    save.mutate({ poolId, tenantId: tenant.tenantId, weight });
  }

  return (
    <form
      onSubmit={onSubmit}
      aria-label={`Weight of ${tenant.name} in ${poolLabel}`}
      className="ml-auto w-56 space-y-2 text-left whitespace-normal"
      noValidate
    >
      <TextField
        label={`Weight of ${tenant.name}`}
        name="weight"
        inputMode="decimal"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        hint="Its share against the others' under weighted fair share (1 each unless set)."
        error={clientError ?? errors.fields.weight}
      />
      <div className="flex gap-2">
        <Button type="submit" size="sm" pending={save.isPending}>
          Save weight
        </Button>
        <Button variant="secondary" size="sm" onClick={() => setEditing(false)}>
          Cancel
        </Button>
      </div>
      <Alert>{errors.form ? `Could not change the weight: ${errors.form}` : null}</Alert>
    </form>
  );
}

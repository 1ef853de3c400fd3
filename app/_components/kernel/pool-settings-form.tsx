"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SelectField, TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { KernelPool, KernelPoolSettings } from "@/app/_lib/trpc-types";
import { POLICIES, POLICY_INFO, type Policy } from "@/server/kernel/scheduler/policy";
import {
  appliesTo,
  describeChanges,
  draftOf,
  LIMITS,
  parseDraft,
  SETTING_INFO,
  type Draft,
  type NumberSetting,
  type SettingChange,
} from "./pool-view";

const NUMBER_FIELDS = [...LIMITS, "agingPerSecond", "defaultDeadlineMs"] as const;
const FIELDS = ["settings.policy", ...NUMBER_FIELDS.map((k) => `settings.${k}` as const)] as const;

const isPolicy = (value: string): value is Policy => (POLICIES as readonly string[]).includes(value);

/**
 * An operator's form for a pool's policy and limits. It is filled from the pool when it opens and sent
 * with that version, so a save over someone else's change is refused (CONFLICT) rather than undoing
 * it; the form then offers to load their settings. Saving asks first, listing exactly what changes.
 */
export function PoolSettingsForm({
  pool,
  onSaved,
  onCancel,
  onReload,
}: {
  pool: KernelPool;
  onSaved: (changes: SettingChange[]) => Promise<void>;
  onCancel: () => void;
  onReload: () => void;
}) {
  const trpc = useTRPC();
  // The pool as the form was filled from it. The page keeps reading the pools in the background; a
  // save must still carry the version the operator started from, or it would silently undo a change
  // made meanwhile.
  const [base] = useState(pool);
  const [draft, setDraft] = useState<Draft>(() => draftOf(base));
  const [clientErrors, setClientErrors] = useState<Partial<Record<NumberSetting, string>>>({});
  const [pending, setPending] = useState<{ settings: KernelPoolSettings; changes: SettingChange[] } | null>(
    null,
  );
  const [unchanged, setUnchanged] = useState(false);
  const save = useMutation(
    trpc.kernel.updatePool.mutationOptions({
      onSuccess: (_updated, variables) => onSaved(describeChanges(base, variables.settings)),
    }),
  );
  const conflict = save.error?.data?.code === "CONFLICT";
  const errors = formErrors(conflict ? null : save.error, FIELDS);

  function set(key: NumberSetting | "policy", value: string) {
    setDraft((d) =>
      key === "policy" ? (isPolicy(value) ? { ...d, policy: value } : d) : { ...d, [key]: value },
    );
    // What was confirmed is no longer what the form holds.
    setPending(null);
    setUnchanged(false);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.reset();
    const parsed = parseDraft(draft);
    if (!parsed.ok) {
      setClientErrors(parsed.errors);
      return;
    }
    setClientErrors({});
    const changes = describeChanges(base, parsed.settings);
    setUnchanged(changes.length === 0);
    setPending(changes.length === 0 ? null : { settings: parsed.settings, changes });
  }

  function confirm() {
    if (!pending) return;
    save.mutate(
      { id: base.id, version: base.version, settings: pending.settings },
      { onSettled: () => setPending(null) },
    );
  }

  const errorOf = (key: NumberSetting) => clientErrors[key] ?? errors.fields[`settings.${key}`];
  const field = (key: NumberSetting) => {
    const info = SETTING_INFO[key];
    const nullable = key !== "concurrency" && LIMITS.some((l) => l === key);
    const unit =
      key === "defaultDeadlineMs" ? " (ms)" : key === "agingPerSecond" ? " (points per second)" : "";
    return (
      <TextField
        key={key}
        label={`${info.label}${unit}`}
        name={key}
        inputMode={key === "agingPerSecond" ? "decimal" : "numeric"}
        placeholder={nullable ? "No limit" : undefined}
        value={draft[key]}
        onChange={(e) => set(key, e.target.value)}
        hint={nullable ? `${info.hint} Leave empty for no limit.` : info.hint}
        error={errorOf(key)}
      />
    );
  };

  return (
    <form onSubmit={onSubmit} aria-label={`Settings of ${pool.label}`} className="space-y-4" noValidate>
      <SelectField
        label="Policy"
        name="policy"
        value={draft.policy}
        onChange={(e) => set("policy", e.target.value)}
        options={POLICIES.map((p) => ({ value: p, label: POLICY_INFO[p].label }))}
        hint={POLICY_INFO[draft.policy].description}
        error={errors.fields["settings.policy"]}
      />
      <div className="grid gap-3 sm:grid-cols-2">{LIMITS.map(field)}</div>
      {appliesTo("agingPerSecond", draft.policy) || appliesTo("defaultDeadlineMs", draft.policy) ? (
        <div className="grid gap-3 sm:grid-cols-2">
          {(["agingPerSecond", "defaultDeadlineMs"] as const)
            .filter((key) => appliesTo(key, draft.policy))
            .map(field)}
        </div>
      ) : null}

      {pending ? (
        <div
          role="region"
          aria-label="Confirm the changes"
          className="space-y-3 rounded-md border border-indigo-200 bg-indigo-50 px-4 py-3 text-sm text-slate-900"
        >
          <p className="font-semibold">
            Save these changes to {pool.label}? Every tenant&apos;s syscalls follow them from the next
            dispatch.
          </p>
          <ul className="list-disc space-y-1 pl-5">
            {pending.changes.map((c) => (
              <li key={c.key}>
                {c.label}: {c.from} → {c.to}
              </li>
            ))}
          </ul>
          <div className="flex flex-wrap gap-2">
            <Button pending={save.isPending} onClick={confirm}>
              Yes, save the changes
            </Button>
            <Button variant="secondary" onClick={() => setPending(null)}>
              Keep editing
            </Button>
          </div>
        </div>
      ) : (
        <div className="flex flex-wrap gap-2">
          <Button type="submit">Save</Button>
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      )}

      {unchanged ? (
        <p role="status" className="text-sm text-slate-700">
          Nothing to save: these are the pool&apos;s current settings.
        </p>
      ) : null}
      {conflict ? (
        <div
          role="alert"
          className="space-y-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-3 text-sm text-amber-950"
        >
          <p className="font-semibold">Someone else changed this pool while you were editing.</p>
          <p>Loading their settings replaces what you entered here.</p>
          <Button variant="secondary" size="sm" onClick={onReload}>
            Load the latest settings
          </Button>
        </div>
      ) : (
        <Alert>{errors.form ? `Could not save: ${errors.form}` : null}</Alert>
      )}
    </form>
  );
}

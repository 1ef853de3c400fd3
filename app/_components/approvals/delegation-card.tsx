"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { badge } from "@/app/_components/requests/badges";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SectionCard } from "@/app/_components/ui/card";
import { SelectField, TextField } from "@/app/_components/ui/field";
import { formatDate, formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { ApprovalDelegation } from "@/app/_lib/trpc-types";

const STATE_TONES: Record<ApprovalDelegation["state"], string> = {
  scheduled: "bg-sky-50 text-sky-900 ring-sky-200",
  active: "bg-emerald-50 text-emerald-900 ring-emerald-200",
  ended: "bg-slate-100 text-slate-800 ring-slate-300",
  revoked: "bg-slate-100 text-slate-800 ring-slate-300",
};

const REASON_WORDS: Record<ApprovalDelegation["reason"], string> = {
  out_of_office: "Out of office",
  reassigned: "Reassigned approval",
  escalated: "Escalated approval",
};

/** A day picked in the browser (yyyy-mm-dd) as the start of that day, local time. */
const startOfDay = (day: string, plusDays = 0) => {
  const [y, m, d] = day.split("-").map(Number);
  return y && m && d ? new Date(y, m - 1, d + plusDays) : null;
};

const today = () => {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
};

/**
 * Out of office: someone approves in the viewer's place between two days (the kernel honours their
 * approvals only then, and only as far as the viewer could have approved). Lists the delegations the
 * viewer gave or received, with revoke for live ones.
 */
export function DelegationCard({ userId }: { userId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.member.list.queryOptions());
  const delegations = useQuery(trpc.delegation.list.queryOptions({}));
  const [toUserId, setToUserId] = useState("");
  const [from, setFrom] = useState(today);
  const [until, setUntil] = useState("");
  const [note, setNote] = useState("");
  const [dateError, setDateError] = useState<string | null>(null);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.delegation.list.queryKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.approval.inbox.queryKey() });
  };
  const create = useMutation(
    trpc.delegation.create.mutationOptions({
      onSuccess: async () => {
        setNote("");
        setUntil("");
        await refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.delegation.revoke.mutationOptions({ onSuccess: refresh }));
  const errors = formErrors(create.error, ["toUserId", "startsAt", "endsAt", "note"] as const);
  const others = (members.data ?? []).filter((m) => m.userId !== userId);

  function submit(e: FormEvent) {
    e.preventDefault();
    const startsAt = from && from > today() ? startOfDay(from) : null;
    // "Back on" is inclusive of the last day away: the delegation ends when the day after begins.
    const endsAt = until ? startOfDay(until, 1) : null;
    if (!endsAt) {
      setDateError("Say the last day you are away");
      return;
    }
    if (from && until < from) {
      setDateError("The last day must not be before the first");
      return;
    }
    setDateError(null);
    create.mutate({ toUserId, endsAt, ...(startsAt ? { startsAt } : {}), ...(note.trim() ? { note } : {}) });
  }

  return (
    <SectionCard
      id="delegation-heading"
      title="Out of office"
      description="Let someone approve in your place while you are away. They can approve only what you could."
    >
      <form className="space-y-3" onSubmit={submit} aria-label="Delegate my approvals">
        <SelectField
          label="Who approves for you"
          name="toUserId"
          value={toUserId}
          error={errors.fields.toUserId}
          onChange={(e) => setToUserId(e.target.value)}
          options={[
            { value: "", label: "Choose a member…" },
            ...others.map((m) => ({ value: m.userId, label: `${m.name} (${m.email})` })),
          ]}
        />
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label="First day away"
            name="from"
            type="date"
            value={from}
            error={errors.fields.startsAt}
            onChange={(e) => setFrom(e.target.value)}
          />
          <TextField
            label="Last day away"
            name="until"
            type="date"
            value={until}
            error={dateError ?? errors.fields.endsAt}
            onChange={(e) => setUntil(e.target.value)}
          />
        </div>
        <TextField
          label="Note (optional)"
          name="note"
          maxLength={500}
          value={note}
          error={errors.fields.note}
          onChange={(e) => setNote(e.target.value)}
        />
        {errors.form ? <Alert>{errors.form}</Alert> : null}
        {create.isSuccess ? <Alert tone="success">Delegated.</Alert> : null}
        <Button type="submit" pending={create.isPending}>
          Delegate
        </Button>
      </form>

      <h3 className="mt-6 text-sm font-semibold text-slate-700">Your delegations</h3>
      {delegations.isError ? <Alert>{delegations.error.message}</Alert> : null}
      {revoke.error ? <Alert>{revoke.error.message}</Alert> : null}
      {delegations.data?.length === 0 ? <p className="mt-2 text-sm text-slate-600">None.</p> : null}
      <ul className="mt-2 divide-y divide-slate-200" aria-label="Your delegations">
        {(delegations.data ?? []).map((d) => {
          const given = d.from.id === userId;
          const live = d.state === "active" || d.state === "scheduled";
          return (
            <li key={d.id} className="flex flex-wrap items-center justify-between gap-3 py-2 text-sm">
              <div className="min-w-0">
                <p className="text-slate-900">
                  {given ? `${d.to.name} approves for you` : `You approve for ${d.from.name}`}
                  <span className="text-slate-600"> · {REASON_WORDS[d.reason]}</span>
                </p>
                <p className="text-xs text-slate-600">
                  From {formatDateTime(d.startsAt)}
                  {d.endsAt ? ` until ${formatDate(new Date(d.endsAt.getTime() - 1))}` : ""}
                  {d.note ? ` · ${d.note}` : ""}
                </p>
              </div>
              <div className="flex items-center gap-2">
                <span className={`${badge} ${STATE_TONES[d.state]}`}>{d.state}</span>
                {given && live ? (
                  <Button
                    size="sm"
                    variant="secondary"
                    pending={revoke.isPending && revoke.variables.delegationId === d.id}
                    aria-label={`Revoke the delegation to ${d.to.name}`}
                    onClick={() => revoke.mutate({ delegationId: d.id })}
                  >
                    Revoke
                  </Button>
                ) : null}
              </div>
            </li>
          );
        })}
      </ul>
    </SectionCard>
  );
}

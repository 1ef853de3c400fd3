"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SectionCard } from "@/app/_components/ui/card";
import { CheckboxField, SelectField, TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { ApprovalRuleView } from "@/app/_lib/trpc-types";
import { ROLES } from "@/server/tenancy/roles";
import { routingRuleSchema, TIMEOUT_OUTCOMES, type Level, type RequestType } from "@/server/requests/types";

const APPROVERS = [
  { value: "manager", label: "The requester's manager" },
  ...ROLES.map((r) => ({ value: `role:${r}`, label: `Any ${r}` })),
];

const TIMEOUT_WORDS: Record<(typeof TIMEOUT_OUTCOMES)[number], string> = {
  escalate: "Escalate to the next manager up",
  approve: "Approve",
  reject: "Reject",
  cancel: "Cancel the request",
};

const approverWords = (approver: string) => APPROVERS.find((a) => a.value === approver)?.label ?? approver;

/** A level as the form edits it: text as typed, turned into the rule's shape on save. */
type LevelDraft = {
  name: string;
  approver: string;
  required: string;
  minAmount: string;
  commentOnDeny: boolean;
  bulk: boolean;
  hasSla: boolean;
  remindAfter: string;
  decideAfter: string;
  onTimeout: (typeof TIMEOUT_OUTCOMES)[number];
};

const LEVEL_FIELDS = [
  "name",
  "approver",
  "required",
  "minAmountCents",
  "commentOnDeny",
  "bulk",
  "sla.remindAfter",
  "sla.decideAfter",
  "sla.onTimeout",
  "sla",
] as const;

const draftOf = (l: Level): LevelDraft => ({
  name: l.name,
  approver: l.approver,
  required: String(l.required),
  minAmount: l.minAmountCents === undefined ? "" : String(l.minAmountCents / 100),
  commentOnDeny: l.commentOnDeny,
  bulk: l.bulk,
  hasSla: l.sla !== undefined,
  remindAfter: l.sla?.remindAfter ?? "1d",
  decideAfter: l.sla?.decideAfter ?? "3d",
  onTimeout: l.sla?.onTimeout ?? "escalate",
});

const ruleOf = (drafts: readonly LevelDraft[]) => ({
  levels: drafts.map((d) => ({
    name: d.name,
    approver: d.approver,
    required: d.required.trim() === "" ? Number.NaN : Number(d.required),
    ...(d.minAmount.trim() === "" ? {} : { minAmountCents: Math.round(Number(d.minAmount) * 100) }),
    commentOnDeny: d.commentOnDeny,
    bulk: d.bulk,
    ...(d.hasSla
      ? { sla: { remindAfter: d.remindAfter, decideAfter: d.decideAfter, onTimeout: d.onTimeout } }
      : {}),
  })),
});

/** Each request type's approval levels, for owners and admins to change or reset to the default. */
export function ApprovalRules() {
  const trpc = useTRPC();
  const rules = useQuery(trpc.routing.list.queryOptions());
  if (rules.isError) return <Alert>Could not load the approval rules: {rules.error.message}</Alert>;
  if (!rules.data) return <p className="text-sm text-slate-600">Loading…</p>;
  return (
    <div className="space-y-6">
      {rules.data.map((r) => (
        <RuleCard key={r.type} rule={r} />
      ))}
    </div>
  );
}

function RuleCard({ rule }: { rule: ApprovalRuleView }) {
  const [editing, setEditing] = useState(false);
  return (
    <SectionCard
      id={`rule-${rule.type}`}
      title={rule.title}
      description={rule.isDefault ? "Tenet's default rule" : "This tenant's own rule"}
    >
      {editing ? (
        <RuleEditor
          type={rule.type}
          title={rule.title}
          levels={rule.rule.levels}
          isDefault={rule.isDefault}
          onDone={() => setEditing(false)}
        />
      ) : (
        <>
          {rule.rule.levels.length === 0 ? (
            <p className="text-sm text-slate-600">No approval needed (the kernel's policies still apply).</p>
          ) : (
            <ol
              className="list-decimal space-y-1 pl-5 text-sm text-slate-800"
              aria-label={`${rule.title} levels`}
            >
              {rule.rule.levels.map((l, i) => (
                <li key={i}>
                  <span className="font-medium">{l.name}</span>: {approverWords(l.approver)}
                  {l.required > 1 ? `, ${l.required} of them` : ""}
                  {l.minAmountCents !== undefined
                    ? `, from ${(l.minAmountCents / 100).toLocaleString()}`
                    : ""}
                  {l.commentOnDeny ? ", comment required to deny" : ""}
                  {l.bulk ? "" : ", one at a time"}
                  {l.sla
                    ? `, reminder after ${l.sla.remindAfter}, after ${l.sla.decideAfter}: ${l.sla.onTimeout}`
                    : ""}
                </li>
              ))}
            </ol>
          )}
          <Button
            className="mt-4"
            size="sm"
            variant="secondary"
            aria-label={`Edit ${rule.title} rule`}
            onClick={() => setEditing(true)}
          >
            Edit
          </Button>
        </>
      )}
    </SectionCard>
  );
}

function RuleEditor({
  type,
  title,
  levels,
  isDefault,
  onDone,
}: {
  type: RequestType;
  title: string;
  levels: readonly Level[];
  isDefault: boolean;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [drafts, setDrafts] = useState<LevelDraft[]>(() => levels.map(draftOf));
  const [local, setLocal] = useState<Record<string, string>>({});
  const [localForm, setLocalForm] = useState<string | null>(null);
  const save = useMutation(
    trpc.routing.set.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.routing.list.queryKey() });
        onDone();
      },
    }),
  );
  const keys = drafts.flatMap((_, i) => LEVEL_FIELDS.map((f) => `rule.levels.${i}.${f}`));
  const server = formErrors(save.error, [...keys, "rule.levels", "rule"]);
  const errorOf = (i: number, field: string) =>
    local[`levels.${i}.${field}`] ?? server.fields[`rule.levels.${i}.${field}`];
  const listError = local.levels ?? server.fields["rule.levels"];

  const update = (i: number, change: Partial<LevelDraft>) =>
    setDrafts((ds) => ds.map((d, j) => (j === i ? { ...d, ...change } : d)));

  function submit(e: FormEvent) {
    e.preventDefault();
    save.reset();
    const checked = routingRuleSchema.safeParse(ruleOf(drafts));
    if (!checked.success) {
      const fields: Record<string, string> = {};
      const rest: string[] = [];
      for (const issue of checked.error.issues) {
        const key = issue.path.map(String).join(".");
        if (key.startsWith("levels")) fields[key] ??= issue.message;
        else rest.push(issue.message);
      }
      setLocal(fields);
      setLocalForm(rest.length > 0 ? rest.join(" ") : null);
      return;
    }
    setLocal({});
    setLocalForm(null);
    save.mutate({ type, rule: checked.data });
  }

  return (
    <form className="space-y-4" onSubmit={submit} noValidate aria-label={`${title} rule`}>
      {drafts.map((d, i) => (
        <fieldset key={i} className="space-y-3 rounded-md border border-slate-200 p-4">
          <legend className="px-1 text-sm font-semibold text-slate-800">Level {i + 1}</legend>
          <div className="grid gap-3 sm:grid-cols-3">
            <TextField
              label="Name"
              name={`level-${i}-name`}
              value={d.name}
              error={errorOf(i, "name")}
              onChange={(e) => update(i, { name: e.target.value })}
            />
            <SelectField
              label="Approver"
              name={`level-${i}-approver`}
              value={d.approver}
              error={errorOf(i, "approver")}
              onChange={(e) => update(i, { approver: e.target.value })}
              options={APPROVERS}
            />
            <TextField
              label="Approvals needed"
              name={`level-${i}-required`}
              type="number"
              min={1}
              max={20}
              value={d.required}
              error={errorOf(i, "required")}
              onChange={(e) => update(i, { required: e.target.value })}
            />
          </div>
          <TextField
            label="Only from this amount (optional)"
            name={`level-${i}-min`}
            type="number"
            min={0}
            step="0.01"
            value={d.minAmount}
            hint="For expenses and purchases: the level applies from this amount up."
            error={errorOf(i, "minAmountCents")}
            onChange={(e) => update(i, { minAmount: e.target.value })}
          />
          <div className="flex flex-wrap gap-6">
            <CheckboxField
              label="Comment required to deny"
              checked={d.commentOnDeny}
              onChange={(e) => update(i, { commentOnDeny: e.target.checked })}
            />
            <CheckboxField
              label="Can be approved in bulk"
              checked={d.bulk}
              onChange={(e) => update(i, { bulk: e.target.checked })}
            />
            <CheckboxField
              label="Deadline"
              checked={d.hasSla}
              onChange={(e) => update(i, { hasSla: e.target.checked })}
            />
          </div>
          {d.hasSla ? (
            <div className="grid gap-3 sm:grid-cols-3">
              <TextField
                label="Remind after"
                name={`level-${i}-remind`}
                value={d.remindAfter}
                hint='Such as "4h" or "1d".'
                error={errorOf(i, "sla.remindAfter")}
                onChange={(e) => update(i, { remindAfter: e.target.value })}
              />
              <TextField
                label="Decide within"
                name={`level-${i}-decide`}
                value={d.decideAfter}
                error={errorOf(i, "sla.decideAfter")}
                onChange={(e) => update(i, { decideAfter: e.target.value })}
              />
              <SelectField
                label="Then"
                name={`level-${i}-timeout`}
                value={d.onTimeout}
                error={errorOf(i, "sla.onTimeout")}
                onChange={(e) => {
                  const outcome = TIMEOUT_OUTCOMES.find((o) => o === e.target.value);
                  if (outcome) update(i, { onTimeout: outcome });
                }}
                options={TIMEOUT_OUTCOMES.map((o) => ({ value: o, label: TIMEOUT_WORDS[o] }))}
              />
            </div>
          ) : null}
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Remove level ${i + 1}`}
            onClick={() => setDrafts((ds) => ds.filter((_, j) => j !== i))}
          >
            Remove level
          </Button>
        </fieldset>
      ))}
      {listError ? <Alert>{listError}</Alert> : null}
      {localForm ? <Alert>{localForm}</Alert> : null}
      {server.form ? <Alert>{server.form}</Alert> : null}
      <div className="flex flex-wrap gap-2">
        <Button
          variant="secondary"
          onClick={() =>
            setDrafts((ds) => [
              ...ds,
              draftOf({ name: "", approver: "manager", required: 1, commentOnDeny: false, bulk: true }),
            ])
          }
        >
          Add level
        </Button>
        <Button type="submit" pending={save.isPending}>
          Save rule
        </Button>
        {isDefault ? null : (
          <Button
            variant="secondary"
            pending={save.isPending}
            onClick={() => save.mutate({ type, rule: null })}
          >
            Reset to default
          </Button>
        )}
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/app/_components/ui/button";
import { DateRangeFields, dayRange, RANGE_ERROR } from "@/app/_components/ui/date-range-fields";
import { SelectField, TextField } from "@/app/_components/ui/field";
import type { AuditListInput } from "@/app/_lib/trpc-types";
import { OUTCOME_LABELS } from "./outcome-badge";

type Outcome = NonNullable<AuditListInput["outcome"]>;
const OUTCOMES = Object.keys(OUTCOME_LABELS).filter((o): o is Outcome => o in OUTCOME_LABELS);

type Draft = { actor: string; action: string; outcome: string; from: string; to: string; text: string };
const EMPTY: Draft = { actor: "", action: "", outcome: "", from: "", to: "", text: "" };

/** The filter form. Dates are whole days in the browser's time zone, both ends included. */
export function AuditFilters({
  onApply,
  fieldErrors,
}: {
  onApply: (filter: AuditListInput) => void;
  fieldErrors: Partial<Record<"actor" | "action" | "outcome" | "from" | "to" | "text", string>>;
}) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [rangeError, setRangeError] = useState<string | null>(null);
  const set = (key: keyof Draft) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const range = dayRange(draft.from, draft.to);
    if (!range) {
      setRangeError(RANGE_ERROR);
      return;
    }
    setRangeError(null);
    onApply({
      actor: draft.actor.trim() || undefined,
      action: draft.action.trim() || undefined,
      outcome: OUTCOMES.find((o) => o === draft.outcome),
      from: range.from,
      to: range.to,
      text: draft.text.trim() || undefined,
    });
  }

  function reset() {
    setDraft(EMPTY);
    setRangeError(null);
    onApply({});
  }

  return (
    <form onSubmit={apply} aria-label="Filter the audit log" className="space-y-4">
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        <TextField
          label="Actor"
          name="actor"
          value={draft.actor}
          onChange={(e) => set("actor")(e.target.value)}
          hint="Part of a person's, agent's or workflow's name"
          error={fieldErrors.actor}
          maxLength={200}
        />
        <TextField
          label="Action"
          name="action"
          value={draft.action}
          onChange={(e) => set("action")(e.target.value)}
          hint='e.g. "invite." or "member.role_changed"'
          error={fieldErrors.action}
          maxLength={100}
          autoCapitalize="none"
          spellCheck={false}
        />
        <SelectField
          label="Outcome"
          name="outcome"
          value={draft.outcome}
          onChange={(e) => set("outcome")(e.target.value)}
          options={[
            { value: "", label: "Any outcome" },
            ...OUTCOMES.map((o) => ({ value: o, label: OUTCOME_LABELS[o] })),
          ]}
          error={fieldErrors.outcome}
        />
        <DateRangeFields
          from={draft.from}
          to={draft.to}
          onFrom={set("from")}
          onTo={set("to")}
          errors={{ from: fieldErrors.from, to: rangeError ?? fieldErrors.to }}
        />
        <TextField
          label="Search"
          name="text"
          type="search"
          value={draft.text}
          onChange={(e) => set("text")(e.target.value)}
          hint="Names of actors, people acted for and resources"
          error={fieldErrors.text}
          maxLength={200}
        />
      </div>
      <div className="flex flex-wrap gap-2">
        <Button type="submit">Apply filters</Button>
        <Button variant="secondary" onClick={reset}>
          Clear
        </Button>
      </div>
    </form>
  );
}

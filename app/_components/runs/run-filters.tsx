"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/app/_components/ui/button";
import { DateRangeFields, dayRange, RANGE_ERROR } from "@/app/_components/ui/date-range-fields";
import { SelectField } from "@/app/_components/ui/field";
import type { RunsListInput, RunStatus, WorkflowFunction } from "@/app/_lib/trpc-types";
import { RUN_STATUS_LABELS } from "./run-view";

export const RUN_FILTER_FIELDS = ["function", "status", "from", "to"] as const;
type FilterField = (typeof RUN_FILTER_FIELDS)[number];

type Draft = { function: string; status: string; from: string; to: string };
const EMPTY: Draft = { function: "", status: "", from: "", to: "" };
const STATUSES = Object.keys(RUN_STATUS_LABELS).filter((s): s is RunStatus => s in RUN_STATUS_LABELS);

/** The runs filter: function, status and a range of whole days in the browser's time zone. */
export function RunFilters({
  functions,
  onApply,
  fieldErrors,
}: {
  functions: readonly WorkflowFunction[];
  onApply: (filter: RunsListInput) => void;
  fieldErrors: Partial<Record<FilterField, string>>;
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
      function: draft.function || undefined,
      status: STATUSES.find((s) => s === draft.status),
      from: range.from,
      to: range.to,
    });
  }

  function reset() {
    setDraft(EMPTY);
    setRangeError(null);
    onApply({});
  }

  return (
    <form onSubmit={apply} aria-label="Filter the runs" className="space-y-4">
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <SelectField
          label="Function"
          name="function"
          value={draft.function}
          onChange={(e) => set("function")(e.target.value)}
          options={[
            { value: "", label: "Any function" },
            ...functions.map((f) => ({ value: f.id, label: f.name })),
          ]}
          error={fieldErrors.function}
        />
        <SelectField
          label="Status"
          name="status"
          value={draft.status}
          onChange={(e) => set("status")(e.target.value)}
          options={[
            { value: "", label: "Any status" },
            ...STATUSES.map((s) => ({ value: s, label: RUN_STATUS_LABELS[s] })),
          ]}
          error={fieldErrors.status}
        />
        <DateRangeFields
          from={draft.from}
          to={draft.to}
          onFrom={set("from")}
          onTo={set("to")}
          errors={{ from: fieldErrors.from, to: rangeError ?? fieldErrors.to }}
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

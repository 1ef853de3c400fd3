"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { focusRing } from "@/app/_components/ui/styles";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppClientError } from "@/app/_lib/trpc-errors";
import type { AuditEntrySummary, AuditListInput } from "@/app/_lib/trpc-types";
import { OutcomeBadge } from "./outcome-badge";
import { LoadMore } from "@/app/_components/ui/load-more";

/** The matching entries, newest first, as sentences; each opens to show its full record. */
export function AuditEntries({
  filter,
  onError,
}: {
  filter: AuditListInput;
  onError: (error: AppClientError | null) => void;
}) {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(filter, { getNextPageParam: (page) => page.nextCursor }),
  );
  // The filter form shows errors about its fields next to them.
  useEffect(() => onError(list.error), [list.error, onError]);

  if (list.isError) return <Alert>Could not load the audit log: {list.error.message}</Alert>;
  if (!list.data) return <p className="text-sm text-slate-600">Loading entries…</p>;
  const entries = list.data.pages.flatMap((p) => p.entries);
  if (entries.length === 0) return <p className="text-sm text-slate-600">No entries match these filters.</p>;

  return (
    <div className="space-y-4">
      <ol aria-label="Audit entries" className="divide-y divide-slate-200 rounded-md border border-slate-200">
        {entries.map((entry) => (
          <AuditEntryItem key={entry.seq.toString()} entry={entry} />
        ))}
      </ol>
      <LoadMore list={list} endText="That is every matching entry." />
    </div>
  );
}

function AuditEntryItem({ entry }: { entry: AuditEntrySummary }) {
  const [open, setOpen] = useState(false);
  const detailId = useId();
  return (
    <li className="px-4 py-3">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={detailId}
        onClick={() => setOpen((o) => !o)}
        className={`flex w-full flex-wrap items-start justify-between gap-x-4 gap-y-1 rounded-sm text-left ${focusRing}`}
      >
        <span className="min-w-0 flex-1 text-sm text-slate-900">
          <span aria-hidden="true" className="mr-2 inline-block w-3 text-slate-500">
            {open ? "▾" : "▸"}
          </span>
          {entry.sentence}
        </span>
        <span className="flex items-center gap-3 text-xs text-slate-600">
          <time dateTime={entry.at.toISOString()}>{formatDateTime(entry.at)}</time>
          <OutcomeBadge outcome={entry.outcome} />
        </span>
      </button>
      <div id={detailId} hidden={!open} className="mt-3">
        {open ? <AuditEntryDetail seq={entry.seq.toString()} /> : null}
      </div>
    </li>
  );
}

function AuditEntryDetail({ seq }: { seq: string }) {
  const trpc = useTRPC();
  const entry = useQuery(trpc.audit.entry.queryOptions({ seq }));
  if (entry.isError)
    return (
      <Alert>
        Could not load entry {seq}: {entry.error.message}
      </Alert>
    );
  if (!entry.data) return <p className="text-sm text-slate-600">Loading entry {seq}…</p>;
  const e = entry.data;
  const record = {
    seq: e.seq.toString(),
    at: e.at.toISOString(),
    actor: { type: e.actorType, id: e.actorId, label: e.actorLabel },
    onBehalfOf: e.onBehalfOfLabel === null ? null : { id: e.onBehalfOfId, label: e.onBehalfOfLabel },
    action: e.action,
    resource:
      e.resourceType === null ? null : { type: e.resourceType, id: e.resourceId, label: e.resourceLabel },
    outcome: e.outcome,
    reasons: e.reasons,
    detail: e.detail,
    prevHash: e.prevHash,
    hash: e.hash,
  };
  return (
    <pre
      aria-label={`Entry ${seq} in full`}
      className="max-h-96 overflow-auto rounded-md bg-slate-900 p-3 text-xs leading-relaxed text-slate-100"
    >
      {JSON.stringify(record, null, 2)}
    </pre>
  );
}

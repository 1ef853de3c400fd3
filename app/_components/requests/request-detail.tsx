"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SectionCard } from "@/app/_components/ui/card";
import { TextField } from "@/app/_components/ui/field";
import { linkClass } from "@/app/_components/ui/styles";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { RequestDetail as Detail, RequestTask, RequestTimelineEntry } from "@/app/_lib/trpc-types";
import { isFinal } from "@/server/requests/types";
import { badge, KernelDecisionBadge, RequestStatusBadge, TaskStatusBadge } from "./badges";
import { PlanChecklist } from "./plan-checklist";

/** How often an unfinished request is read again, so the page follows its workflow live. */
const LIVE_MS = 1_500;

/**
 * One request: its status and what it waits for, the outcome (a denial's comment up front), the plan as
 * a checklist, each approval level with its people and their decisions, and the timeline of every
 * step. Refreshes every 1.5 s until the request is finished.
 */
export function RequestDetail({
  slug,
  requestId,
  canSeeRuns,
}: {
  slug: string;
  requestId: string;
  canSeeRuns: boolean;
}) {
  const trpc = useTRPC();
  const request = useQuery(
    trpc.request.get.queryOptions(
      { requestId },
      { refetchInterval: (q) => (q.state.data && isFinal(q.state.data.status) ? false : LIVE_MS) },
    ),
  );

  if (request.isError) return <Alert>{request.error.message}</Alert>;
  const r = request.data;
  if (!r) return <p className="text-sm text-slate-600">Loading the request…</p>;
  const live = !isFinal(r.status);

  return (
    <div className="space-y-6">
      <section
        aria-labelledby="status-heading"
        className="rounded-lg border border-slate-200 bg-white p-6 shadow-xs"
      >
        <h2 id="status-heading" className="sr-only">
          Status
        </h2>
        <div className="flex flex-wrap items-center gap-3" aria-live="polite">
          <RequestStatusBadge status={r.status} />
          {live ? (
            <span className="inline-flex items-center gap-1.5 text-xs text-slate-600">
              <span aria-hidden="true" className="size-2 animate-pulse rounded-full bg-sky-500" />
              Live
            </span>
          ) : null}
          {r.status === "waiting" && r.waitingFor ? (
            <p className="text-sm text-slate-800">{r.waitingFor}</p>
          ) : null}
        </div>
        <p className="mt-2 text-sm text-slate-600">
          {r.typeTitle} asked by {r.requester.name} on {formatDateTime(r.createdAt)} · updated{" "}
          {formatDateTime(r.updatedAt)}
        </p>
        <Outcome request={r} />
        <div className="mt-3 flex flex-wrap gap-4 text-sm">
          {canSeeRuns && r.runId ? (
            <Link href={`/t/${slug}/runs/${encodeURIComponent(r.runId)}`} className={linkClass}>
              Workflow run
            </Link>
          ) : null}
          {canSeeRuns ? (
            <Link href={`/t/${slug}/audit`} className={linkClass}>
              Audit log
            </Link>
          ) : null}
        </div>
        {r.canCancel ? <CancelRequest requestId={r.id} /> : null}
      </section>

      <SectionCard
        id="plan-heading"
        title="Plan"
        description="What will be done, checked by the kernel against the tenant's policies before anyone approves."
      >
        <PlanChecklist plan={r.plan ?? []} done={r.status === "done"} />
      </SectionCard>

      <SectionCard id="approvals-heading" title="Approvals">
        {r.tasks.length === 0 ? (
          <p className="text-sm text-slate-600">
            {isFinal(r.status) || r.status === "running" ? "No approvals were needed." : "Not asked for yet."}
          </p>
        ) : (
          <ol className="space-y-4">
            {r.tasks.map((t) => (
              <ApprovalLevel key={t.id} task={t} />
            ))}
          </ol>
        )}
      </SectionCard>

      <SectionCard id="timeline-heading" title="Timeline">
        <ol className="space-y-3" aria-label="Timeline">
          {r.timeline.map((e) => (
            <TimelineItem key={e.id} entry={e} />
          ))}
        </ol>
      </SectionCard>
    </div>
  );
}

function Outcome({ request: r }: { request: Detail }) {
  if (!r.outcome) return null;
  if (r.status === "rejected" || r.status === "failed")
    return (
      <div role="alert" className="mt-4 rounded-md border border-red-200 bg-red-50 px-4 py-3">
        <p className="text-sm font-semibold text-red-900">
          {r.status === "rejected" ? "Rejected" : "Failed"}
        </p>
        <p className="mt-1 text-base text-red-900">{r.outcome}</p>
      </div>
    );
  return (
    <div className="mt-4 rounded-md border border-slate-200 bg-slate-50 px-4 py-3 text-sm text-slate-900">
      {r.outcome}
    </div>
  );
}

const APPROVER_WORDS = (approver: string) =>
  approver === "manager"
    ? "the requester's manager"
    : `a member with the ${approver.replace("role:", "")} role`;

function ApprovalLevel({ task: t }: { task: RequestTask }) {
  const approvals = t.decisions.filter((d) => d.decision === "approve").length;
  return (
    <li className="rounded-md border border-slate-200 p-4">
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="font-medium text-slate-900">
          Level {t.level}: {t.name}
        </h3>
        <TaskStatusBadge status={t.status} />
        <span className="text-xs text-slate-600">
          {approvals} of {t.required} approval{t.required === 1 ? "" : "s"} · by {APPROVER_WORDS(t.approver)}
        </span>
      </div>
      <p className="mt-2 text-sm text-slate-700">
        Asked:{" "}
        {t.assignees.length === 0
          ? "nobody yet"
          : t.assignees.map((a) => (a.forName ? `${a.name} (for ${a.forName})` : a.name)).join(", ")}
      </p>
      {t.escalateAt && t.status === "open" ? (
        <p className="text-xs text-slate-600">Deadline: {formatDateTime(t.escalateAt)}</p>
      ) : null}
      {t.decisions.length > 0 ? (
        <ul className="mt-2 space-y-1">
          {t.decisions.map((d) => (
            <li key={`${d.userId}-${d.at.toISOString()}`} className="text-sm text-slate-800">
              <span className="font-medium">{d.name}</span>
              {d.forName ? ` for ${d.forName}` : ""} {d.decision === "approve" ? "approved" : "denied"} on{" "}
              {formatDateTime(d.at)}
              {d.via === "email" ? " (from the emailed link)" : d.via === "bulk" ? " (in bulk)" : ""}
              {d.comment ? <q className="ml-1 text-slate-700">{d.comment}</q> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function TimelineItem({ entry: e }: { entry: RequestTimelineEntry }) {
  const detail = isRecord(e.detail) ? e.detail : null;
  const decision =
    typeof detail?.decision === "string" && e.kind.startsWith("kernel") ? detail.decision : null;
  const reasons = Array.isArray(detail?.reasons)
    ? detail.reasons.filter((r): r is string => typeof r === "string")
    : [];
  return (
    <li className="flex gap-3 text-sm">
      <time dateTime={e.at.toISOString()} className="w-36 shrink-0 text-xs text-slate-600">
        {formatDateTime(e.at)}
      </time>
      <div className="min-w-0 space-y-1">
        <p className="text-slate-900">{e.message}</p>
        <div className="flex flex-wrap items-center gap-1.5">
          <span className={`${badge} bg-slate-50 text-slate-700 ring-slate-200 font-mono`}>{e.kind}</span>
          {decision ? <KernelDecisionBadge decision={decision} /> : null}
        </div>
        {reasons.length > 0 ? <p className="text-xs text-slate-600">Because: {reasons.join(", ")}</p> : null}
        {detail && Object.keys(detail).length > 0 ? (
          <details className="text-xs text-slate-700">
            <summary className="cursor-pointer text-slate-600">Details</summary>
            <pre className="mt-1 overflow-x-auto rounded bg-slate-50 p-2">
              {JSON.stringify(detail, null, 2)}
            </pre>
          </details>
        ) : null}
      </div>
    </li>
  );
}

function CancelRequest({ requestId }: { requestId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const cancel = useMutation(
    trpc.request.cancel.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        await queryClient.invalidateQueries({ queryKey: trpc.request.get.queryKey({ requestId }) });
        await queryClient.invalidateQueries({ queryKey: trpc.request.mine.queryKey() });
      },
    }),
  );
  const errors = formErrors(cancel.error, ["reason"] as const);

  function submit(e: FormEvent) {
    e.preventDefault();
    cancel.mutate({ requestId, ...(reason.trim() ? { reason } : {}) });
  }

  if (!open)
    return (
      <div className="mt-4">
        <Button variant="secondary" onClick={() => setOpen(true)}>
          Cancel request
        </Button>
      </div>
    );
  return (
    <form className="mt-4 space-y-3" onSubmit={submit} aria-label="Cancel this request">
      <TextField
        label="Why (optional)"
        name="cancelReason"
        value={reason}
        maxLength={1000}
        error={errors.fields.reason}
        onChange={(e) => setReason(e.target.value)}
      />
      {errors.form ? <Alert>{errors.form}</Alert> : null}
      <div className="flex gap-2">
        <Button type="submit" variant="danger" pending={cancel.isPending}>
          Confirm cancellation
        </Button>
        <Button variant="ghost" onClick={() => setOpen(false)}>
          Keep it
        </Button>
      </div>
    </form>
  );
}

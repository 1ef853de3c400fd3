"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState, type ReactNode } from "react";
import { SectionCard } from "@/app/_components/ui/card";
import { focusRing, linkClass } from "@/app/_components/ui/styles";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { RunDetailView, RunStep, RunTimelineEntry } from "@/app/_lib/trpc-types";
import { RunActions } from "./run-actions";
import { RunStatusBadge, StepStatusBadge } from "./run-status-badge";
import {
  describeTimelineEntry,
  elapsedMs,
  entriesOfStep,
  errorText,
  formatElapsed,
  hasContent,
  jsonText,
  stepTiming,
} from "./run-view";
import { RunsError } from "./runs-error";

/** While the run is running it is read again this often, so its steps appear as they happen. */
const LIVE_REFRESH_MS = 1_000;

/** The current time, ticking every second while `live`, for the durations of what has not ended. */
function useNow(live: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [live]);
  return now;
}

/** One run: summary, outcome, steps, history and trigger; live while it runs. */
export function RunDetail({ slug, runId }: { slug: string; runId: string }) {
  const trpc = useTRPC();
  const query = useQuery({
    ...trpc.runs.detail.queryOptions({ runId }),
    refetchInterval: (q) => (q.state.data?.status === "running" ? LIVE_REFRESH_MS : false),
  });
  const now = useNow(query.data?.status === "running");

  if (query.isError) return <RunsError error={query.error} doing={`load run ${runId}`} />;
  if (!query.data) return <p className="text-sm text-slate-600">Loading run {runId}…</p>;
  const run = query.data;

  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="flex items-center gap-3 text-sm text-slate-700">
          <RunStatusBadge status={run.status} />
          {run.status === "running" ? <span role="status">Live: updating every second</span> : null}
        </p>
        <RunActions slug={slug} run={run} />
      </div>
      <SectionCard id="summary-heading" title="Summary">
        <RunSummaryList slug={slug} run={run} now={now} />
      </SectionCard>
      <SectionCard id="outcome-heading" title="Outcome">
        <RunOutcome run={run} />
      </SectionCard>
      <SectionCard
        id="steps-heading"
        title="Steps"
        description="In the order they started. Open a step for its input, output or error and its history."
      >
        <RunSteps run={run} now={now} />
      </SectionCard>
      <SectionCard id="timeline-heading" title="Timeline" description="Everything the engine did, in order.">
        <RunTimeline run={run} />
      </SectionCard>
      <SectionCard id="event-heading" title="Trigger event">
        <JsonBlock label="The event that started the run" value={run.event} />
        {run.events.length > 1 ? (
          <div className="mt-4">
            <JsonBlock label={`All ${run.events.length} events of the batch`} value={run.events} />
          </div>
        ) : null}
      </SectionCard>
    </div>
  );
}

function JsonBlock({ label, value }: { label: string; value: unknown }) {
  return (
    <pre
      aria-label={label}
      className="max-h-96 overflow-auto rounded-md bg-slate-900 p-3 text-xs leading-relaxed text-slate-100"
    >
      {jsonText(value)}
    </pre>
  );
}

function Time({ iso }: { iso: string | null }) {
  if (!iso) return <>–</>;
  return <time dateTime={iso}>{formatDateTime(new Date(iso))}</time>;
}

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-4 py-2">
      <dt className="text-sm font-medium text-slate-700">{term}</dt>
      <dd className="col-span-2 text-sm break-all text-slate-900">{children}</dd>
    </div>
  );
}

function RunSummaryList({ slug, run, now }: { slug: string; run: RunDetailView; now: number }) {
  const took = elapsedMs(run.startedAt ?? run.createdAt, run.endedAt, now);
  const runLink = (id: string) => (
    <Link href={`/t/${slug}/runs/${id}`} className={`${linkClass} font-mono`}>
      {id}
    </Link>
  );
  return (
    <dl className="divide-y divide-slate-200">
      <Row term="Function">
        {run.functionName} <span className="font-mono text-xs text-slate-600">({run.functionId})</span>
      </Row>
      <Row term="Run id">
        <span className="font-mono">{run.id}</span>
      </Row>
      <Row term="Triggered by">
        <span className="font-mono">{run.eventName}</span>
      </Row>
      <Row term="Queued">
        <Time iso={run.createdAt} />
      </Row>
      <Row term="Started">
        <Time iso={run.startedAt} />
      </Row>
      <Row term="Ended">
        <Time iso={run.endedAt} />
      </Row>
      <Row term={run.endedAt ? "Took" : "Running for"}>{took === null ? "–" : formatElapsed(took)}</Row>
      {run.rerunOf ? <Row term="Rerun of">{runLink(run.rerunOf)}</Row> : null}
      {run.parentRunId ? <Row term="Invoked by run">{runLink(run.parentRunId)}</Row> : null}
    </dl>
  );
}

function RunOutcome({ run }: { run: RunDetailView }) {
  if (run.status === "running")
    return <p className="text-sm text-slate-600">The run has not finished yet.</p>;
  if (run.status === "cancelled") return <p className="text-sm text-slate-800">The run was cancelled.</p>;
  if (run.status === "failed") {
    return (
      <p role="note" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
        {errorText(run.error) || "The run failed without an error message."}
      </p>
    );
  }
  return <JsonBlock label="The run's output" value={run.output} />;
}

function RunSteps({ run, now }: { run: RunDetailView; now: number }) {
  if (run.steps.length === 0) return <p className="text-sm text-slate-600">No steps yet.</p>;
  const steps = [...run.steps].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return (
    <ol aria-label="Steps" className="divide-y divide-slate-200 rounded-md border border-slate-200">
      {steps.map((step) => (
        <StepItem key={step.id} step={step} history={entriesOfStep(run, step.id)} now={now} />
      ))}
    </ol>
  );
}

function StepItem({ step, history, now }: { step: RunStep; history: RunTimelineEntry[]; now: number }) {
  const timing = stepTiming(step, history);
  const took = elapsedMs(timing.startedAt, timing.endedAt, now);
  // Only code steps (step.run) have attempts; a sleep or a wait has none to count.
  const attempts =
    step.attempts > 0 ? `${step.attempts} ${step.attempts === 1 ? "attempt" : "attempts"}` : null;
  return (
    <li className="px-4 py-3">
      <details>
        <summary
          className={`flex cursor-pointer flex-wrap items-center justify-between gap-x-4 gap-y-1 rounded-sm text-sm ${focusRing}`}
        >
          <span className="min-w-0 flex-1 text-slate-900">
            <span className="font-medium">{step.name}</span>{" "}
            <span className="font-mono text-xs text-slate-600">{step.op}</span>
          </span>
          <span className="flex items-center gap-3 text-xs text-slate-600">
            {attempts ? <span>{attempts}</span> : null}
            <span>{took === null ? "–" : formatElapsed(took)}</span>
            <StepStatusBadge status={step.status} />
          </span>
        </summary>
        <div className="mt-3 space-y-3">
          <p className="text-xs text-slate-600">
            Started <Time iso={timing.startedAt} />
            {timing.endedAt ? (
              <>
                , ended <Time iso={timing.endedAt} />
              </>
            ) : null}
            .
          </p>
          {hasContent(step.opts) ? (
            <JsonBlock label={`Input of step ${step.name}`} value={step.opts} />
          ) : null}
          {step.error ? (
            <p className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
              {errorText(step.error)}
            </p>
          ) : null}
          {step.status === "completed" ? (
            <JsonBlock label={`Output of step ${step.name}`} value={step.output} />
          ) : null}
          {history.length > 0 ? (
            <ul className="space-y-1 text-xs text-slate-700">
              {history.map((entry) => (
                <li key={entry.id}>
                  <Time iso={entry.endedAt} />: {describeTimelineEntry(entry)}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      </details>
    </li>
  );
}

function RunTimeline({ run }: { run: RunDetailView }) {
  if (run.timeline.length === 0) return <p className="text-sm text-slate-600">Nothing has happened yet.</p>;
  const origin = Date.parse(run.createdAt);
  return (
    <ol aria-label="Timeline" className="space-y-2 border-l-2 border-slate-200 pl-4">
      {run.timeline.map((entry) => {
        const at = Date.parse(entry.endedAt) - origin;
        const took = entry.startedAt ? elapsedMs(entry.startedAt, entry.endedAt) : null;
        return (
          <li key={entry.id} className="text-sm">
            <p className="flex flex-wrap items-baseline gap-x-3">
              <span className="w-20 shrink-0 font-mono text-xs text-slate-600">
                <time dateTime={entry.endedAt}>+{formatElapsed(Math.max(0, at))}</time>
              </span>
              <span className="text-slate-900">{describeTimelineEntry(entry)}</span>
              {took !== null ? (
                <span className="text-xs text-slate-600">took {formatElapsed(took)}</span>
              ) : null}
            </p>
            {hasContent(entry.data) ? (
              <details className="mt-1 ml-23">
                <summary className={`cursor-pointer rounded-sm text-xs text-slate-700 ${focusRing}`}>
                  Details
                </summary>
                <div className="mt-1">
                  <JsonBlock label={`Details of: ${describeTimelineEntry(entry)}`} value={entry.data} />
                </div>
              </details>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

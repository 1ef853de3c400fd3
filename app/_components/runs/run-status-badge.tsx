import type { RunStatus, RunStepStatus } from "@/app/_lib/trpc-types";
import { RUN_STATUS_LABELS, STEP_STATUS_LABELS } from "./run-view";

const badge =
  "inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset";

const RUN_TONES: Record<RunStatus, string> = {
  running: "bg-sky-50 text-sky-900 ring-sky-200",
  completed: "bg-emerald-50 text-emerald-900 ring-emerald-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
  cancelled: "bg-slate-100 text-slate-800 ring-slate-300",
};

const STEP_TONES: Record<RunStepStatus, string> = {
  planned: "bg-slate-100 text-slate-800 ring-slate-300",
  sleeping: "bg-amber-50 text-amber-900 ring-amber-200",
  waiting: "bg-amber-50 text-amber-900 ring-amber-200",
  invoking: "bg-sky-50 text-sky-900 ring-sky-200",
  completed: "bg-emerald-50 text-emerald-900 ring-emerald-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
};

/** A run's status in words and colour (the words carry the meaning; colour only repeats it). */
export function RunStatusBadge({ status }: { status: RunStatus }) {
  return <span className={`${badge} ${RUN_TONES[status]}`}>{RUN_STATUS_LABELS[status]}</span>;
}

export function StepStatusBadge({ status }: { status: RunStepStatus }) {
  return <span className={`${badge} ${STEP_TONES[status]}`}>{STEP_STATUS_LABELS[status]}</span>;
}

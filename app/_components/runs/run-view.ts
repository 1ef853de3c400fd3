/** Pure helpers for the Runs pages: words for statuses and history, lengths of time, the date filter. */
import type {
  RunDetailView,
  RunStatus,
  RunStep,
  RunStepStatus,
  RunTimelineEntry,
} from "@/app/_lib/trpc-types";

export const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const STEP_STATUS_LABELS: Record<RunStepStatus, string> = {
  planned: "Planned",
  sleeping: "Sleeping",
  waiting: "Waiting for an event",
  invoking: "Invoking a function",
  completed: "Completed",
  failed: "Failed",
};

const TIMELINE_WORDS: Record<string, string> = {
  "run.started": "Run started",
  "step.planned": "Step planned",
  "step.completed": "Step completed",
  "step.errored": "Attempt failed; it will be retried",
  "step.failed": "Step failed",
  "step.sleeping": "Sleeping",
  "step.waiting": "Waiting for an event",
  "step.invoking": "Invoking another function",
  "step.resumed": "Resumed",
  "call.failed": "Calling the app failed; it will be retried",
  "run.completed": "Run completed",
  "run.failed": "Run failed",
  "run.cancelled": "Run cancelled",
};

/** A history entry in words: "Step completed: echo (attempt 2)". Unknown kinds are shown as they are. */
export function describeTimelineEntry(
  entry: Pick<RunTimelineEntry, "kind" | "stepName" | "attempt">,
): string {
  const what = TIMELINE_WORDS[entry.kind] ?? entry.kind;
  const step = entry.stepName ? `: ${entry.stepName}` : "";
  // Attempts are counted from 0 by the engine; people count from 1, and the first needs no mention.
  const attempt = entry.attempt !== null && entry.attempt > 0 ? ` (attempt ${entry.attempt + 1})` : "";
  return `${what}${step}${attempt}`;
}

/** A length of time for timings: "350 ms", "2.4 s", "3 min 5 s", "2 h 10 min". */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) {
    const seconds = Math.floor((ms % 60_000) / 1000);
    return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
}

/** From `start` to `end` (or to `now` while it has not ended), or null without a start. */
export function elapsedMs(start: string | null, end: string | null, now: number = Date.now()): number | null {
  if (!start) return null;
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : now;
  return Number.isNaN(from) || Number.isNaN(to) ? null : Math.max(0, to - from);
}

/** Any JSON value for a <pre>: indented, and "(none)" for a value that is absent. */
export function jsonText(value: unknown): string {
  if (value === undefined) return "(none)";
  return JSON.stringify(value, null, 2) ?? "(none)";
}

/** The history entries of one step, to list under it. */
export function entriesOfStep(run: Pick<RunDetailView, "timeline">, stepId: string): RunTimelineEntry[] {
  return run.timeline.filter((entry) => entry.stepId === stepId);
}

/** The error a person can read: its name and message, never a stack trace. */
export function errorText(error: { name?: string | undefined; message?: string | undefined } | null): string {
  if (!error) return "";
  const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
  return `${name}${error.message ?? "No message"}`;
}

/**
 * When a step started and ended. The engine records a step when the app reports it, so its own
 * `createdAt` is when it finished running; the call it ran in (the earliest `startedAt` in its history)
 * is when it started.
 */
export function stepTiming(
  step: Pick<RunStep, "createdAt" | "endedAt">,
  history: readonly Pick<RunTimelineEntry, "startedAt">[],
): { startedAt: string; endedAt: string | null } {
  const starts = history.map((e) => e.startedAt).filter((t): t is string => t !== null);
  const first = starts.reduce<string | null>((min, t) => (min === null || t < min ? t : min), null);
  return {
    startedAt: first !== null && first < step.createdAt ? first : step.createdAt,
    endedAt: step.endedAt,
  };
}

/** Whether a value is worth showing: not absent, and not an empty object or list. */
export function hasContent(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/**
 * The engine's console API (`/tenet/v1/…`): what the app's Runs page reads and does. Shared by the
 * engine (which answers) and server/workflows/engine-client.ts (which asks), so both agree on the shapes.
 *
 * Authentication: when the engine has a signing key, every request carries
 * `Authorization: Bearer <hashed signing key>`, as Inngest's own API expects (docs/engine-protocol.md §6.4).
 * Errors: a non-2xx status with `{ error: { code, message } }`.
 */
import { z } from "zod";

export const RUN_STATUSES = ["running", "completed", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_STATUSES = ["planned", "sleeping", "waiting", "invoking", "completed", "failed"] as const;

const isoDate = z.iso.datetime({ offset: true });

/** A serialized error, as the SDK sends it (name, message, optional stack). */
export const serializedError = z
  .object({ name: z.string().optional(), message: z.string().optional(), stack: z.string().optional() })
  .passthrough();

export const runSummary = z.object({
  id: z.string(),
  functionId: z.string(),
  functionName: z.string(),
  appId: z.string(),
  status: z.enum(RUN_STATUSES),
  tenantId: z.string().nullable(),
  eventName: z.string(),
  createdAt: isoDate,
  startedAt: isoDate.nullable(),
  endedAt: isoDate.nullable(),
  parentRunId: z.string().nullable(),
  rerunOf: z.string().nullable(),
});
export type RunSummary = z.infer<typeof runSummary>;

export const stepView = z.object({
  id: z.string(),
  name: z.string(),
  op: z.string(),
  status: z.enum(STEP_STATUSES),
  attempts: z.number().int(),
  opts: z.unknown(),
  /** The step's result when it completed (for waitForEvent: the matched event, or null on timeout). */
  output: z.unknown(),
  error: serializedError.nullable(),
  createdAt: isoDate,
  endedAt: isoDate.nullable(),
});
export type StepView = z.infer<typeof stepView>;

/**
 * One entry of a run's history. Kinds: run.started, step.planned, step.completed, step.errored (an
 * attempt failed and will be retried), step.failed, step.sleeping, step.waiting, step.invoking,
 * step.resumed, call.failed (the call to the app failed and will be retried), run.completed,
 * run.failed, run.cancelled.
 */
export const timelineEntry = z.object({
  id: z.number().int(),
  kind: z.string(),
  stepId: z.string().nullable(),
  stepName: z.string().nullable(),
  attempt: z.number().int().nullable(),
  startedAt: isoDate.nullable(),
  endedAt: isoDate,
  data: z.unknown(),
});
export type TimelineEntry = z.infer<typeof timelineEntry>;

export const runDetail = runSummary.extend({
  event: z.record(z.string(), z.unknown()),
  events: z.array(z.record(z.string(), z.unknown())),
  output: z.unknown(),
  error: serializedError.nullable(),
  steps: z.array(stepView),
  timeline: z.array(timelineEntry),
});
export type RunDetail = z.infer<typeof runDetail>;

export const functionView = z.object({
  id: z.string(),
  name: z.string(),
  appId: z.string(),
  triggers: z.array(
    z.object({
      event: z.string().optional(),
      cron: z.string().optional(),
      expression: z.string().optional(),
    }),
  ),
});
export type FunctionView = z.infer<typeof functionView>;

/** GET /tenet/v1/runs */
export const listRunsQuery = z.object({
  function: z.string().min(1).optional(),
  status: z.enum(RUN_STATUSES).optional(),
  tenant: z.string().min(1).optional(),
  /** Runs started by this event: the id `POST /e/:key` returned for it. */
  event: z.string().min(1).max(256).optional(),
  /** ISO instants bounding created_at: from inclusive, to exclusive. */
  from: isoDate.optional(),
  to: isoDate.optional(),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListRunsQuery = z.input<typeof listRunsQuery>;
export const listRunsResponse = z.object({ runs: z.array(runSummary), nextCursor: z.string().nullable() });

/** GET /tenet/v1/runs/:id[?tenant=] — 404 when the run does not exist or belongs to another tenant. */
export const runResponse = z.object({ run: runDetail });
/** POST /tenet/v1/runs/:id/cancel[?tenant=] — 409 when the run already ended. */
export const cancelResponse = z.object({ run: runSummary });
/** POST /tenet/v1/runs/:id/rerun[?tenant=] — a new run of the same function with the same events. */
export const rerunResponse = z.object({ runId: z.string() });
/** GET /tenet/v1/functions */
export const functionsResponse = z.object({ functions: z.array(functionView) });

export const apiError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

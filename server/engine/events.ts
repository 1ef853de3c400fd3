/**
 * Events and the ends of runs: accepted events start runs and resume or cancel waiting ones, and a run
 * that ends announces it with Inngest's lifecycle events (which is how onFailure handlers start) and
 * resumes a parent waiting in step.invoke. Every function here runs inside a caller's transaction, under
 * the lock of the run it changes.
 */
import { type Conn, json } from "./db";
import { matches } from "./expressions";
import { newId, seededEventId } from "./ids";
import {
  continueRun,
  createRun,
  dedupeKey,
  deleteJob,
  type EngineEvent,
  type FunctionRow,
  history,
  INVOKED_EVENT,
  type LockedRun,
  lockRun,
  resolveStep,
  SCHEDULED_EVENT,
  type SerializedError,
  tenantOf,
} from "./runs";

const FINISHED_EVENT = "inngest/function.finished";
const FAILED_EVENT = "inngest/function.failed";
const CANCELLED_EVENT = "inngest/function.cancelled";
// Runs started by these are not announced again: an onFailure handler's own failure must not loop.
const LIFECYCLE_EVENTS = new Set([FINISHED_EVENT, FAILED_EVENT, CANCELLED_EVENT]);
// Started by the engine directly (step.invoke, cron), never by matching a trigger.
const DIRECT_EVENTS = new Set([INVOKED_EVENT, SCHEDULED_EVENT]);

const DEDUPE_WINDOW = "24 hours";

// ---------------------------------------------------------------------------------------------------
// Finishing

export type Ending =
  | { status: "completed"; output: unknown }
  | { status: "failed"; error: SerializedError }
  | { status: "cancelled"; reason: string };

/** Ends a locked, running run: drops its jobs and waiters, announces it, and resumes a parent's invoke. */
export async function finishRun(c: Conn, run: LockedRun, ending: Ending): Promise<void> {
  const output = ending.status === "completed" ? ending.output : null;
  const error =
    ending.status === "failed"
      ? ending.error
      : ending.status === "cancelled"
        ? { name: "RunCancelledError", message: ending.reason }
        : null;
  const { rowCount } = await c.query(
    `UPDATE engine.run SET status = $2, output = $3, error = $4, ended_at = now(), started_at = coalesce(started_at, now())
     WHERE id = $1 AND status = 'running'`,
    [run.id, ending.status, json(output), error === null ? null : json(error)],
  );
  if (rowCount !== 1) return;
  await c.query("DELETE FROM engine.job WHERE run_id = $1 AND claimed_by IS NULL", [run.id]);
  await c.query("DELETE FROM engine.waiter WHERE run_id = $1", [run.id]);
  await history(c, run.id, `run.${ending.status}`, {
    data: ending.status === "completed" ? { output } : { error },
  });

  const correlation =
    run.parent_run_id && run.parent_step_id ? `${run.parent_run_id}.${run.parent_step_id}` : undefined;
  if (!LIFECYCLE_EVENTS.has(run.event.name)) {
    const data = {
      function_id: run.function_id,
      run_id: run.id,
      event: run.event,
      events: run.events,
      ...(ending.status === "completed" ? { result: output } : { error }),
      ...(correlation ? { correlation_id: correlation } : {}),
      _inngest: { status: ending.status },
    };
    const announce = [{ name: FINISHED_EVENT, id: `${run.id}:finished`, data }];
    if (ending.status === "failed") announce.push({ name: FAILED_EVENT, id: run.id, data });
    if (ending.status === "cancelled") announce.push({ name: CANCELLED_EVENT, id: run.id, data });
    await ingestEvents(c, announce);
  }

  if (run.parent_run_id && run.parent_step_id) {
    const parent = await lockRun(c, run.parent_run_id);
    if (parent?.status !== "running") return;
    const step = await resolveStep(
      c,
      parent.id,
      run.parent_step_id,
      ending.status === "completed" ? "completed" : "failed",
      ending.status === "completed" ? { data: output } : { error },
      { name: run.parent_step_id, op: "InvokeFunction" },
      { kind: "step.resumed", data: { childRunId: run.id, status: ending.status } },
    );
    if (!step.resolved) return;
    await deleteJob(c, dedupeKey.invokeTimeout(parent.id, run.parent_step_id));
    await continueRun(c, parent, step.race);
  }
}

// ---------------------------------------------------------------------------------------------------
// Events

export type IncomingEvent = {
  name: string;
  data?: Record<string, unknown>;
  id?: string;
  ts?: number;
  v?: string;
  user?: Record<string, unknown>;
};

type TriggerRow = FunctionRow & { event_name: string; wildcard: boolean; expression: string | null };
type WaiterRow = {
  id: string;
  run_id: string;
  step_id: string | null;
  kind: "wait" | "cancel";
  event_name: string;
  expression: string | null;
  run_event: EngineEvent;
};

/**
 * Accepts events: assigns ids, drops those whose id was seen in the last 24 hours, stores them, starts the
 * runs their triggers match, and resumes or cancels the runs waiting for them. Returns each event's
 * internal id (for a duplicate, the id of the event it repeats).
 */
export async function ingestEvents(
  c: Conn,
  incoming: IncomingEvent[],
  seed?: string,
  now = new Date(),
): Promise<string[]> {
  const events = incoming.map((e, index) => {
    const internalId = seededEventId(seed, index) ?? newId();
    const event: EngineEvent = {
      name: e.name,
      data: e.data ?? {},
      id: e.id ?? internalId,
      ts: e.ts ?? now.getTime(),
      ...(e.v === undefined ? {} : { v: e.v }),
      user: e.user ?? {},
    };
    return { internalId, event };
  });

  // The first of several events with one id in this request is the one kept.
  const firstById = new Map<string, (typeof events)[number]>();
  for (const e of events) if (!firstById.has(e.event.id)) firstById.set(e.event.id, e);
  const candidates = [...firstById.values()];
  const fresh = await c.query<{ id: string }>(
    `INSERT INTO engine.event_seen (id, internal_id) SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (id) DO UPDATE SET internal_id = EXCLUDED.internal_id, seen_at = now()
     WHERE engine.event_seen.seen_at < now() - interval '${DEDUPE_WINDOW}' RETURNING id`,
    [candidates.map((e) => e.event.id), candidates.map((e) => e.internalId)],
  );
  const freshIds = new Set(fresh.rows.map((r) => r.id));
  const accepted = candidates.filter((e) => freshIds.has(e.event.id));
  const known = new Map(accepted.map((e) => [e.event.id, e.internalId]));
  const repeated = events.filter((e) => !known.has(e.event.id)).map((e) => e.event.id);
  if (repeated.length > 0) {
    const { rows } = await c.query<{ id: string; internal_id: string }>(
      "SELECT id, internal_id FROM engine.event_seen WHERE id = ANY($1::text[])",
      [repeated],
    );
    for (const row of rows) known.set(row.id, row.internal_id);
  }
  if (accepted.length > 0)
    await startFor(
      c,
      accepted.map((e) => ({ ...e, tenantId: tenantOf(e.event) })),
    );
  return events.map((e) => known.get(e.event.id) ?? e.internalId);
}

async function startFor(
  c: Conn,
  accepted: { internalId: string; event: EngineEvent; tenantId: string | null }[],
): Promise<void> {
  await c.query(
    `INSERT INTO engine.event (internal_id, name, payload, tenant_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[])`,
    [
      accepted.map((e) => e.internalId),
      accepted.map((e) => e.event.name),
      accepted.map((e) => json(e.event)),
      accepted.map((e) => e.tenantId),
    ],
  );
  const names = [...new Set(accepted.map((e) => e.event.name))];
  const triggers = await c.query<TriggerRow>(
    `SELECT t.event_name, t.wildcard, t.expression, f.id, f.app_id, f.name, f.url, f.config, f.max_attempts
     FROM engine.trigger t JOIN engine.function f ON f.id = t.function_id
     WHERE t.event_name = ANY($1::text[])
        OR (t.wildcard AND EXISTS (SELECT 1 FROM unnest($1::text[]) n WHERE starts_with(n, t.event_name)))
     ORDER BY f.id, t.position`,
    [names],
  );
  const waiters = await c.query<WaiterRow>(
    `SELECT w.id, w.run_id, w.step_id, w.kind, w.event_name, w.expression, r.event AS run_event
     FROM engine.waiter w JOIN engine.run r ON r.id = w.run_id
     WHERE w.event_name = ANY($1::text[]) AND (w.expires_at IS NULL OR w.expires_at > now()) AND r.status = 'running'
     ORDER BY w.id`,
    [names],
  );
  const consumed = new Set<string>();
  for (const { event } of accepted) {
    if (!DIRECT_EVENTS.has(event.name)) {
      const started = new Set<string>();
      for (const t of triggers.rows) {
        const hit = t.wildcard ? event.name.startsWith(t.event_name) : event.name === t.event_name;
        if (!hit || started.has(t.id) || !matches(t.expression, { event })) continue;
        started.add(t.id);
        await createRun(c, t, [event]);
      }
    }
    for (const w of waiters.rows) {
      if (w.event_name !== event.name || consumed.has(w.id)) continue;
      if (!matches(w.expression, { event: w.run_event, async: event })) continue;
      consumed.add(w.id);
      await resumeWaiter(c, w, event);
    }
  }
}

async function resumeWaiter(c: Conn, w: WaiterRow, event: EngineEvent): Promise<void> {
  const run = await lockRun(c, w.run_id);
  if (run?.status !== "running") return;
  // Another transaction may have taken this waiter first; the delete decides.
  const taken = await c.query("DELETE FROM engine.waiter WHERE id = $1", [w.id]);
  if (taken.rowCount !== 1) return;
  if (w.kind === "cancel") {
    await finishRun(c, run, {
      status: "cancelled",
      reason: `Cancelled by event ${event.name} (${event.id})`,
    });
    return;
  }
  if (!w.step_id) return;
  // Wrapped in `data`: the SDK reads {data: event} exactly as the bare event (docs/engine-protocol.md §3.3).
  const step = await resolveStep(
    c,
    run.id,
    w.step_id,
    "completed",
    { data: event },
    { name: w.step_id, op: "WaitForEvent" },
    { kind: "step.resumed", data: { event: { name: event.name, id: event.id } } },
  );
  if (!step.resolved) return;
  await deleteJob(c, dedupeKey.waitTimeout(run.id, w.step_id));
  await continueRun(c, run, step.race);
}

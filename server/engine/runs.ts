/**
 * A run's life in the database: events start runs, steps resolve, runs finish. Every function here runs
 * inside a caller's transaction; a caller that changes a run holds that run's row lock
 * (`lockRun`), so the results of parallel steps fan in one at a time and exactly one of them schedules
 * the next discovery call.
 */
import { type Conn, json } from "./db";
import { evaluateKey, evaluateNumber, matches } from "./expressions";
import { newId, seededEventId } from "./ids";
import { concurrencyRules, type FunctionConfig } from "./sync";
import { sleepUntil } from "./time";

export type EngineEvent = {
  name: string;
  data: Record<string, unknown>;
  id: string;
  ts: number;
  v?: string;
  user?: Record<string, unknown>;
};

export type FunctionRow = {
  id: string;
  app_id: string;
  name: string;
  url: string;
  config: FunctionConfig;
  max_attempts: number;
};

export type Concurrency = { key: string; limit: number };

/** What the queue needs to know of a run to schedule its calls. */
export type RunRef = { id: string; priority: number; concurrency: Concurrency[] };

export type SerializedError = { name?: string; message?: string; stack?: string; [key: string]: unknown };

export const INVOKED_EVENT = "inngest/function.invoked";
export const SCHEDULED_EVENT = "inngest/scheduled.timer";
const FINISHED_EVENT = "inngest/function.finished";
const FAILED_EVENT = "inngest/function.failed";
const CANCELLED_EVENT = "inngest/function.cancelled";
// Runs started by these are not announced again: an onFailure handler's own failure must not loop.
const LIFECYCLE_EVENTS = new Set([FINISHED_EVENT, FAILED_EVENT, CANCELLED_EVENT]);
// Started by the engine directly (step.invoke, cron), never by matching a trigger.
const DIRECT_EVENTS = new Set([INVOKED_EVENT, SCHEDULED_EVENT]);

const DEDUPE_WINDOW = "24 hours";
const IDEMPOTENCY_WINDOW = "24 hours";

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The tenant a run belongs to: `data.tenantId`, or for lifecycle events that of the event they describe. */
export function tenantOf(event: EngineEvent): string | null {
  const own = event.data.tenantId;
  if (typeof own === "string") return own;
  const inner = record(record(event.data.event)?.data)?.tenantId;
  return typeof inner === "string" ? inner : null;
}

// ---------------------------------------------------------------------------------------------------
// Jobs and history

export type JobKind = "call" | "wake" | "wait_timeout" | "invoke_timeout";

export const dedupeKey = {
  discovery: (runId: string) => `d:${runId}`,
  step: (runId: string, stepId: string) => `s:${runId}:${stepId}`,
  wake: (runId: string, stepId: string) => `w:${runId}:${stepId}`,
  waitTimeout: (runId: string, stepId: string) => `t:${runId}:${stepId}`,
  invokeTimeout: (runId: string, stepId: string) => `i:${runId}:${stepId}`,
};

export async function enqueue(
  c: Conn,
  run: RunRef,
  job: {
    kind: JobKind;
    stepId?: string | null;
    attempt?: number;
    at?: Date;
    dedupe: string;
    /** Queue nothing while a step of the run is still pending (the fan-in of parallel steps). */
    unlessPending?: boolean;
  },
): Promise<void> {
  // Only calls to the app take concurrency slots; timers just resolve a step.
  const limited = job.kind === "call" ? run.concurrency : [];
  await c.query(
    `WITH j AS (
       INSERT INTO engine.job (run_id, kind, step_id, attempt, available_at, sort_at, concurrency_keys, concurrency_limits, dedupe)
       SELECT $1, $2, $3, $4, $5, $5::timestamptz - make_interval(secs => $6), $7, $8, $9
       WHERE NOT $10 OR NOT EXISTS (
         SELECT 1 FROM engine.step WHERE run_id = $1 AND status NOT IN ('completed', 'failed'))
       ON CONFLICT (dedupe) WHERE claimed_by IS NULL DO NOTHING RETURNING id)
     SELECT pg_notify('engine_jobs', '') FROM j`,
    [
      run.id,
      job.kind,
      job.stepId ?? null,
      job.attempt ?? 0,
      job.at ?? new Date(),
      run.priority,
      limited.map((l) => l.key),
      limited.map((l) => l.limit),
      job.dedupe,
      job.unlessPending ?? false,
    ],
  );
}

export async function deleteJob(c: Conn, dedupe: string): Promise<void> {
  await c.query("DELETE FROM engine.job WHERE dedupe = $1 AND claimed_by IS NULL", [dedupe]);
}

export type HistoryEntry = {
  stepId?: string | null;
  attempt?: number | null;
  startedAt?: Date | null;
  data?: unknown;
};

export async function history(c: Conn, runId: string, kind: string, entry: HistoryEntry = {}): Promise<void> {
  await c.query(
    "INSERT INTO engine.history (run_id, step_id, kind, attempt, started_at, data) VALUES ($1, $2, $3, $4, $5, $6)",
    [
      runId,
      entry.stepId ?? null,
      kind,
      entry.attempt ?? null,
      entry.startedAt ?? null,
      entry.data === undefined ? null : json(entry.data),
    ],
  );
}

// ---------------------------------------------------------------------------------------------------
// Runs

export type LockedRun = RunRef & {
  status: string;
  function_id: string;
  event: EngineEvent;
  events: EngineEvent[];
  stack: string[];
  max_attempts: number;
  started_at: Date | null;
  tenant_id: string | null;
  parent_run_id: string | null;
  parent_step_id: string | null;
};

export const LOCKED_RUN_COLUMNS = `id, status, function_id, event, events, stack, max_attempts, priority, concurrency,
  started_at, tenant_id, parent_run_id, parent_step_id`;

/** Locks a run's row for the rest of the transaction; null when it does not exist. */
export async function lockRun(c: Conn, runId: string): Promise<LockedRun | null> {
  const { rows } = await c.query<LockedRun>(
    `SELECT ${LOCKED_RUN_COLUMNS} FROM engine.run WHERE id = $1 FOR UPDATE`,
    [runId],
  );
  return rows[0] ?? null;
}

function concurrencyOf(fn: FunctionRow, event: EngineEvent): Concurrency[] {
  return concurrencyRules(fn.config).map((rule) => {
    const value = rule.key ? (evaluateKey(rule.key, { event }) ?? "") : "";
    // Function scope counts this function's calls; env/account scope is shared by every function whose
    // key evaluates to the same value (there is one environment per engine).
    return { key: rule.scope === "fn" ? `f:${fn.id}:${value}` : `e:${value}`, limit: rule.limit };
  });
}

export type StartOptions = {
  parent?: { runId: string; stepId: string; tenantId: string | null };
  rerunOf?: string;
};

/** Starts a run of `fn` for `events`; null when the function's idempotency key already ran in the window. */
export async function createRun(
  c: Conn,
  fn: FunctionRow,
  events: EngineEvent[],
  options: StartOptions = {},
): Promise<string | null> {
  const event = events[0];
  if (!event) throw new Error("A run needs at least one event");
  const id = newId();
  if (fn.config.idempotency && !options.rerunOf) {
    const key = evaluateKey(fn.config.idempotency, { event }) ?? "";
    const claimed = await c.query(
      `INSERT INTO engine.idempotency (function_id, key, run_id, expires_at) VALUES ($1, $2, $3, now() + interval '${IDEMPOTENCY_WINDOW}')
       ON CONFLICT (function_id, key) DO UPDATE SET run_id = $3, expires_at = EXCLUDED.expires_at
       WHERE engine.idempotency.expires_at < now() RETURNING run_id`,
      [fn.id, key, id],
    );
    if (claimed.rowCount === 0) return null;
  }
  const priorityValue = fn.config.priority?.run
    ? (evaluateNumber(fn.config.priority.run, { event }) ?? 0)
    : 0;
  // Inngest bounds priority to ±600 seconds.
  const priority = Math.max(-600, Math.min(600, Math.round(priorityValue)));
  const concurrency = concurrencyOf(fn, event);
  const tenantId = tenantOf(event) ?? options.parent?.tenantId ?? null;
  await c.query(
    `WITH r AS (
       INSERT INTO engine.run (id, function_id, app_id, status, event, events, tenant_id, priority, concurrency, max_attempts,
                               parent_run_id, parent_step_id, rerun_of)
       VALUES ($1, $2, $3, 'running', $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id),
     h AS (INSERT INTO engine.history (run_id, kind, data) SELECT id, 'run.started', $13::jsonb FROM r),
     j AS (
       INSERT INTO engine.job (run_id, kind, sort_at, concurrency_keys, concurrency_limits, dedupe)
       SELECT id, 'call', now() - make_interval(secs => $7), $14, $15, 'd:' || id FROM r RETURNING id)
     SELECT pg_notify('engine_jobs', '') FROM j`,
    [
      id,
      fn.id,
      fn.app_id,
      json(event),
      json(events),
      tenantId,
      priority,
      json(concurrency),
      fn.max_attempts,
      options.parent?.runId ?? null,
      options.parent?.stepId ?? null,
      options.rerunOf ?? null,
      json({ eventName: event.name, ...(options.rerunOf ? { rerunOf: options.rerunOf } : {}) }),
      concurrency.map((l) => l.key),
      concurrency.map((l) => l.limit),
    ],
  );
  for (const cancel of fn.config.cancel ?? []) {
    const timeout = cancel.timeout === undefined ? null : sleepUntil(cancel.timeout, new Date());
    await c.query(
      "INSERT INTO engine.waiter (run_id, kind, event_name, expression, expires_at) VALUES ($1, 'cancel', $2, $3, $4)",
      [id, cancel.event, cancel.if ?? null, timeout],
    );
  }
  return id;
}

export async function loadFunction(c: Conn, functionId: string): Promise<FunctionRow | null> {
  const { rows } = await c.query<FunctionRow>(
    "SELECT id, app_id, name, url, config, max_attempts FROM engine.function WHERE id = $1",
    [functionId],
  );
  return rows[0] ?? null;
}

// ---------------------------------------------------------------------------------------------------
// Steps

/** `op` is the step's kind: StepRun (any step.run-type step), Sleep, WaitForEvent or InvokeFunction. */
export type StepMeta = { name: string; op: string; opts?: unknown };

/**
 * Records a step's final result (memoized `state`, exactly as sent back to the SDK) and appends it to the
 * run's stack. `resolved` is false when the step had already finished (a duplicate report); `race` says
 * the step was planned in a `group.parallel` race (the SDK marks the planned op, not its result).
 */
export async function resolveStep(
  c: Conn,
  runId: string,
  stepId: string,
  outcome: "completed" | "failed",
  state: unknown,
  meta: StepMeta,
  // The timeline entry to write when the step did resolve (in the same statement: one round trip).
  record?: { kind: string } & Omit<HistoryEntry, "stepId">,
): Promise<{ resolved: boolean; race: boolean }> {
  const { rows } = await c.query<{ resolved: number; race: boolean }>(
    `WITH s AS (
       INSERT INTO engine.step (run_id, id, name, op, status, opts, state, attempts, ended_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1, now())
       ON CONFLICT (run_id, id) DO UPDATE
         SET status = EXCLUDED.status, state = EXCLUDED.state, ended_at = now(),
             attempts = engine.step.attempts + CASE WHEN EXCLUDED.op = 'StepRun' THEN 1 ELSE 0 END
         WHERE engine.step.status NOT IN ('completed', 'failed')
       RETURNING id, coalesce(opts->>'parallelMode' = 'race', false) AS race),
     r AS (UPDATE engine.run SET stack = array_append(stack, $2) WHERE id = $1 AND EXISTS (SELECT 1 FROM s) RETURNING id),
     h AS (
       INSERT INTO engine.history (run_id, step_id, kind, attempt, started_at, data)
       SELECT $1, $2, $8, $9, $10, $11 FROM r WHERE $8::text IS NOT NULL)
     SELECT (SELECT count(*) FROM r) AS resolved, coalesce((SELECT bool_or(race) FROM s), false) AS race`,
    [
      runId,
      stepId,
      meta.name,
      meta.op,
      outcome,
      meta.opts === undefined ? null : json(meta.opts),
      json(state),
      record?.kind ?? null,
      record?.attempt ?? null,
      record?.startedAt ?? null,
      record?.data === undefined ? null : json(record.data),
    ],
  );
  return { resolved: rows[0]?.resolved === 1, race: rows[0]?.race === true };
}

/** Records a step the run now waits on (planned, sleeping, waiting, invoking); false if already known. */
export async function openStep(
  c: Conn,
  runId: string,
  stepId: string,
  status: "planned" | "sleeping" | "waiting" | "invoking",
  meta: StepMeta,
): Promise<boolean> {
  const { rowCount } = await c.query(
    `INSERT INTO engine.step (run_id, id, name, op, status, opts) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (run_id, id) DO NOTHING`,
    [runId, stepId, meta.name, meta.op, status, meta.opts === undefined ? null : json(meta.opts)],
  );
  return rowCount === 1;
}

/**
 * After a step resolved: call discovery again once nothing else of the run is pending (fan-in), or at once
 * when the step was part of a race.
 */
export async function continueRun(c: Conn, run: RunRef, race = false): Promise<void> {
  await enqueue(c, run, { kind: "call", dedupe: dedupeKey.discovery(run.id), unlessPending: !race });
}

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

/**
 * A run's life in the database: runs start, steps open and resolve, the queue gets the next job (how runs
 * end and what events do to them is in events.ts). Every function here runs inside a caller's transaction; a caller that changes a run holds that run's row lock
 * (`lockRun`), so the results of parallel steps fan in one at a time and exactly one of them schedules
 * the next discovery call.
 */
import { type Conn, json } from "./db";
import { evaluateKey, evaluateNumber } from "./expressions";
import { newId } from "./ids";
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

/**
 * Executes claimed jobs: a call to the app (discovery or one step, docs/engine-protocol.md §3) or a timer
 * (a sleep ends, a wait or an invoke times out). A call's outcome is applied in one transaction under the
 * run's lock, and only if this process still holds the job's claim: a process that was presumed dead
 * never writes over the work of the one that took its job.
 */
import { type Conn, type Db, transaction } from "./db";
import { finishRun } from "./events";
import { newId } from "./ids";
import type { Job } from "./queue";
import {
  continueRun,
  createRun,
  dedupeKey,
  enqueue,
  type EngineEvent,
  history,
  INVOKED_EVENT,
  loadFunction,
  type LockedRun,
  LOCKED_RUN_COLUMNS,
  openStep,
  resolveStep,
  type SerializedError,
} from "./runs";
import { type CallConfig, type Op, type RunState, send } from "./call";
import { retryDelay, sleepUntil } from "./time";

export type ExecutorConfig = CallConfig & {
  db: Db;
  retryBaseMs: number;
  /** How long a claim lasts; a call never takes longer than this. */
  leaseSeconds: number;
};

export async function runJob(cfg: ExecutorConfig, job: Job): Promise<void> {
  if (job.kind !== "call") return timer(cfg, job);
  // A call may hand this worker the run's next call (see takeNextCall); it keeps the same slot.
  for (let next: Job | null = job; next;) next = await call(cfg, next);
}

/**
 * Releases the job and locks its run, in one statement; null when this worker lost the claim (it was
 * presumed dead and the job is someone else's now) or the run is no longer running.
 */
async function lockAndRelease(c: Conn, cfg: ExecutorConfig, job: Job): Promise<LockedRun | null> {
  const { rows } = await c.query<LockedRun & { held: boolean }>(
    `WITH d AS (DELETE FROM engine.job WHERE id = $2 AND claimed_by = $3 RETURNING id)
     SELECT ${LOCKED_RUN_COLUMNS}, EXISTS (SELECT 1 FROM d) AS held FROM engine.run WHERE id = $1 FOR UPDATE`,
    [job.run_id, job.id, cfg.workerId],
  );
  const run = rows[0];
  return run?.held && run.status === "running" ? run : null;
}

async function call(cfg: ExecutorConfig, job: Job): Promise<Job | null> {
  const { rows } = await cfg.db.query<RunState>(
    `SELECT r.status, r.event, r.events, r.stack, r.max_attempts, f.url,
       (SELECT coalesce(jsonb_object_agg(s.id, s.state), '{}'::jsonb) FROM engine.step s
         WHERE s.run_id = r.id AND s.status IN ('completed', 'failed')) AS steps,
       (SELECT count(*) FROM engine.step s WHERE s.run_id = r.id AND s.status NOT IN ('completed', 'failed')) AS pending
     FROM engine.run r LEFT JOIN engine.function f ON f.id = r.function_id WHERE r.id = $1`,
    [job.run_id],
  );
  const state = rows[0];
  if (state?.status !== "running" || !state.url) {
    await transaction(cfg.db, async (c) => {
      const run = await lockAndRelease(c, cfg, job);
      if (!run) return;
      await finishRun(c, run, {
        status: "failed",
        error: { name: "Error", message: `Function "${run.function_id}" is no longer registered by its app` },
      });
    });
    return null;
  }
  const startedAt = new Date();
  const outcome = await send(cfg, job, state);
  return transaction(cfg.db, async (c) => {
    const run = await lockAndRelease(c, cfg, job);
    if (!run) return null;
    if (!run.started_at)
      await c.query("UPDATE engine.run SET started_at = $2 WHERE id = $1", [run.id, startedAt]);
    if (outcome.kind === "complete") await finishRun(c, run, { status: "completed", output: outcome.output });
    else if (outcome.kind === "ops") {
      await applyOps(c, cfg, job, run, outcome.ops, outcome.retryAt, startedAt);
      return takeNextCall(c, cfg, run.id);
    } else await callFailed(c, cfg, job, run, outcome.error, outcome.retriable, outcome.retryAt, startedAt);
    return null;
  });
}

/**
 * Claims the run's discovery call that this outcome just queued, for this worker to make at once instead
 * of going through the dispatcher: the common step-after-step case then costs no claim transaction. Only
 * when nothing due is waiting ahead of it in the queue (priority and fairness stay the queue's), and no
 * other discovery of the run is in flight (clock_timestamp, not now(): the job was queued by this very
 * transaction, after it began). Its concurrency keys are the run's, the same as those of the
 * call just released in this transaction, so the number of calls holding each key does not change.
 */
async function takeNextCall(c: Conn, cfg: ExecutorConfig, runId: string): Promise<Job | null> {
  const { rows } = await c.query<Job>(
    `UPDATE engine.job j SET claimed_by = $2, claimed_until = now() + make_interval(secs => $3)
     WHERE j.dedupe = $1 AND j.claimed_by IS NULL AND j.available_at <= clock_timestamp()
       AND NOT EXISTS (SELECT 1 FROM engine.job o
         WHERE o.run_id = j.run_id AND o.claimed_by IS NOT NULL AND o.kind = 'call' AND o.step_id IS NULL)
       AND NOT EXISTS (SELECT 1 FROM engine.job w
         WHERE w.claimed_by IS NULL AND w.available_at <= clock_timestamp() AND w.sort_at < j.sort_at)
     RETURNING j.id, j.run_id, j.kind, j.step_id, j.attempt, j.concurrency_keys, j.concurrency_limits`,
    [dedupeKey.discovery(runId), cfg.workerId, cfg.leaseSeconds],
  );
  return rows[0] ?? null;
}

/** Queues the next attempt of a call (discovery, or the step `stepId`) and records why. */
async function retryCall(
  c: Conn,
  cfg: ExecutorConfig,
  run: LockedRun,
  job: Job,
  stepId: string | null,
  kind: "call.failed" | "step.errored",
  error: SerializedError,
  retryAt: Date | null,
  startedAt: Date,
): Promise<void> {
  const at = retryAt ?? new Date(Date.now() + retryDelay(job.attempt, cfg.retryBaseMs));
  const dedupe = stepId ? dedupeKey.step(run.id, stepId) : dedupeKey.discovery(run.id);
  await enqueue(c, run, { kind: "call", stepId, attempt: job.attempt + 1, at, dedupe });
  await history(c, run.id, kind, {
    stepId,
    attempt: job.attempt,
    startedAt,
    data: { error, retryAt: at.toISOString() },
  });
}

async function callFailed(
  c: Conn,
  cfg: ExecutorConfig,
  job: Job,
  run: LockedRun,
  error: SerializedError,
  retriable: boolean,
  retryAt: Date | null,
  startedAt: Date,
): Promise<void> {
  if (retriable && job.attempt + 1 < run.max_attempts) {
    await retryCall(c, cfg, run, job, job.step_id, "call.failed", error, retryAt, startedAt);
    return;
  }
  await history(c, run.id, "call.failed", {
    stepId: job.step_id,
    attempt: job.attempt,
    startedAt,
    data: { error },
  });
  await finishRun(c, run, { status: "failed", error });
}

const stepName = (op: Op) => op.displayName ?? op.name ?? op.id;

async function applyOps(
  c: Conn,
  cfg: ExecutorConfig,
  job: Job,
  run: LockedRun,
  ops: Op[],
  retryAt: Date | null,
  startedAt: Date,
): Promise<void> {
  let resolved = false;
  let race = false;
  const now = new Date();
  const failStep = async (op: Op, error: SerializedError, kind: string) => {
    const record = { kind: "step.failed", attempt: job.attempt, startedAt, data: { error } };
    const meta = { name: stepName(op), op: kind, opts: op.opts };
    const step = await resolveStep(c, run.id, op.id, "failed", { error }, meta, record);
    resolved ||= step.resolved;
    race ||= step.resolved && step.race;
  };
  for (const op of ops) {
    const meta = { name: stepName(op), op: "StepRun", opts: op.opts ?? undefined };
    switch (op.op) {
      case "StepRun":
        {
          const record = { kind: "step.completed", attempt: job.attempt, startedAt };
          const step = await resolveStep(
            c,
            run.id,
            op.id,
            "completed",
            { data: op.data ?? null },
            meta,
            record,
          );
          resolved ||= step.resolved;
          race ||= step.resolved && step.race;
        }
        break;
      case "StepFailed":
        await failStep(op, op.error ?? { name: "Error", message: "The step failed" }, "StepRun");
        break;
      case "StepError": {
        const error = op.error ?? { name: "Error", message: "The step failed" };
        if (job.attempt + 1 >= run.max_attempts) {
          await failStep(op, error, "StepRun");
          break;
        }
        await openStep(c, run.id, op.id, "planned", meta);
        await c.query("UPDATE engine.step SET attempts = attempts + 1 WHERE run_id = $1 AND id = $2", [
          run.id,
          op.id,
        ]);
        await retryCall(c, cfg, run, job, op.id, "step.errored", error, retryAt, startedAt);
        break;
      }
      case "StepPlanned":
        if (await openStep(c, run.id, op.id, "planned", meta)) {
          await enqueue(c, run, { kind: "call", stepId: op.id, dedupe: dedupeKey.step(run.id, op.id) });
          await history(c, run.id, "step.planned", { stepId: op.id });
        }
        break;
      case "Sleep": {
        // An empty duration is what the SDK sends for step.sleep(id, 0); Inngest's server reads it as "now".
        const until = op.name ? sleepUntil(op.name, now) : now;
        if (!until) {
          await failStep(
            op,
            { name: "Error", message: `Could not read the sleep duration "${op.name ?? ""}"` },
            "Sleep",
          );
          break;
        }
        if (await openStep(c, run.id, op.id, "sleeping", { ...meta, op: "Sleep" })) {
          await enqueue(c, run, {
            kind: "wake",
            stepId: op.id,
            at: until,
            dedupe: dedupeKey.wake(run.id, op.id),
          });
          await history(c, run.id, "step.sleeping", { stepId: op.id, data: { until: until.toISOString() } });
        }
        break;
      }
      case "WaitForEvent": {
        const eventName = op.name ?? (typeof op.opts?.event === "string" ? op.opts.event : "");
        const timeout = typeof op.opts?.timeout === "string" ? sleepUntil(op.opts.timeout, now) : null;
        const expression = typeof op.opts?.if === "string" ? op.opts.if : null;
        if (!eventName || !timeout) {
          await failStep(
            op,
            { name: "Error", message: "waitForEvent needs an event name and a timeout" },
            "WaitForEvent",
          );
          break;
        }
        if (await openStep(c, run.id, op.id, "waiting", { ...meta, op: "WaitForEvent" })) {
          await c.query(
            "INSERT INTO engine.waiter (run_id, step_id, kind, event_name, expression, expires_at) VALUES ($1, $2, 'wait', $3, $4, $5)",
            [run.id, op.id, eventName, expression, timeout],
          );
          await enqueue(c, run, {
            kind: "wait_timeout",
            stepId: op.id,
            at: timeout,
            dedupe: dedupeKey.waitTimeout(run.id, op.id),
          });
          await history(c, run.id, "step.waiting", {
            stepId: op.id,
            data: { event: eventName, if: expression, until: timeout.toISOString() },
          });
        }
        break;
      }
      case "InvokeFunction":
        if (await openStep(c, run.id, op.id, "invoking", { ...meta, op: "InvokeFunction" })) {
          const invoked = await invoke(c, run, op, now);
          if (typeof invoked === "string") {
            await history(c, run.id, "step.invoking", { stepId: op.id, data: { childRunId: invoked } });
          } else await failStep(op, invoked.error, "InvokeFunction");
        }
        break;
      case "RunComplete":
        await finishRun(c, run, { status: "completed", output: op.data ?? null });
        return;
      case "DiscoveryRequest":
        await enqueue(c, run, { kind: "call", dedupe: dedupeKey.discovery(run.id) });
        break;
      case "DeferAdd":
      case "DeferAbort":
        // Experimental deferred work; this engine does not run it.
        break;
      default:
        await finishRun(c, run, {
          status: "failed",
          error: { name: "Error", message: `The app sent an op this engine does not know: "${op.op}"` },
        });
        return;
    }
  }
  if (resolved) await continueRun(c, run, race);
}

async function invoke(
  c: Conn,
  run: LockedRun,
  op: Op,
  now: Date,
): Promise<string | { error: SerializedError }> {
  const functionId = typeof op.opts?.function_id === "string" ? op.opts.function_id : "";
  const fn = functionId ? await loadFunction(c, functionId) : null;
  if (!fn)
    return { error: { name: "Error", message: `step.invoke: function "${functionId}" is not registered` } };
  const payload = (
    typeof op.opts?.payload === "object" && op.opts.payload !== null ? op.opts.payload : {}
  ) as {
    data?: Record<string, unknown>;
    v?: string;
  };
  const event: EngineEvent = {
    name: INVOKED_EVENT,
    data: {
      ...(payload.data ?? {}),
      _inngest: {
        fn_id: fn.id,
        correlation_id: `${run.id}.${op.id}`,
        source_app_id: fn.app_id,
        source_fn_id: run.function_id,
      },
    },
    id: newId(),
    ts: now.getTime(),
    ...(payload.v ? { v: payload.v } : {}),
  };
  const childId = await createRun(c, fn, [event], {
    parent: { runId: run.id, stepId: op.id, tenantId: run.tenant_id },
  });
  if (!childId)
    return {
      error: {
        name: "Error",
        message: `step.invoke: "${fn.id}" skipped the run (idempotency key already used)`,
      },
    };
  const timeout = typeof op.opts?.timeout === "string" ? sleepUntil(op.opts.timeout, now) : null;
  if (timeout)
    await enqueue(c, run, {
      kind: "invoke_timeout",
      stepId: op.id,
      at: timeout,
      dedupe: dedupeKey.invokeTimeout(run.id, op.id),
    });
  return childId;
}

async function timer(cfg: ExecutorConfig, job: Job): Promise<void> {
  await transaction(cfg.db, async (c) => {
    const run = await lockAndRelease(c, cfg, job);
    const stepId = job.step_id;
    if (!run || !stepId) return;
    let step: { resolved: boolean; race: boolean };
    if (job.kind === "wake") {
      const meta = { name: stepId, op: "Sleep" };
      step = await resolveStep(c, run.id, stepId, "completed", null, meta, { kind: "step.resumed" });
    } else if (job.kind === "wait_timeout") {
      await c.query("DELETE FROM engine.waiter WHERE run_id = $1 AND step_id = $2", [run.id, stepId]);
      const meta = { name: stepId, op: "WaitForEvent" };
      step = await resolveStep(c, run.id, stepId, "completed", null, meta, { kind: "step.timed_out" });
    } else {
      const error = {
        name: "InngestInvokeTimeoutError",
        message: "Timed out waiting for invoked function to complete",
      };
      const meta = { name: stepId, op: "InvokeFunction" };
      step = await resolveStep(c, run.id, stepId, "failed", { error }, meta, { kind: "step.timed_out" });
    }
    if (step.resolved) await continueRun(c, run, step.race);
  });
}

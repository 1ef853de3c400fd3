import { randomInt } from "node:crypto";
import pg from "pg";
import { AppError } from "@/server/errors";
import {
  DEFAULT_PRIORITY,
  MAX_PRIORITY,
  MIN_PRIORITY,
  planRound,
  RATE_WINDOW_MS,
  type QueuedSyscall,
} from "./policy";
import {
  applyRound,
  cancelQueued,
  refuseSyscalls,
  writeEvents,
  type Finished,
  type NewSyscall,
  CHANNEL,
  checkPoolId,
  LIVENESS_LOCK_CLASS,
  openRound,
  poolSql,
  pruneFinished,
  requeueRateLimited,
} from "./store";

/** What a syscall asks of a pool. */
export type Job = {
  poolId: string;
  tenantId: string;
  /** The agent's id, or "user:<id>" for a person. */
  agentKey: string;
  /** The workflow run it belongs to: cancelling the run removes it from the queue. */
  runId?: string | null;
  /** What it is, for the Kernel page: "model call", "facilities.room.book". */
  label: string;
  /** 0–9, 9 the most urgent (priority policy); default 5. */
  priority?: number;
  /** When it must be done by (deadline policy). */
  deadline?: Date | null;
  /** Tokens it will consume (model pools), charged to tokens-per-minute limits when dispatched. */
  tokens?: number;
};

/** What one attempt at the resource reports: done, or refused by the provider for now (429). */
export type Attempt<T> = { kind: "done"; value: T } | { kind: "rate_limited"; retryAfterMs: number | null };

export type Timings = {
  /** Time spent waiting for a slot, over all attempts (the database's clock). */
  queuedMs: number;
  /** Time inside the attempts themselves (the provider's time). */
  runMs: number;
  /** Everything else: queueing, granting, notifying and freeing the slot. */
  overheadMs: number;
  attempts: number;
  rateLimited: number;
};

export type SchedulerOptions = {
  /** Queries go through this pool (the app role's); the process also opens one connection to listen. */
  pool: pg.Pool;
  /** A syscall refused this many times by the provider fails ("the provider kept refusing"). */
  maxRateLimited?: number;
  /** Rounds run at least this often while this process has syscalls waiting (lost wake-ups, dead peers). */
  tickMs?: number;
  /**
   * How long a grant counts against the pools' per-minute limits: RATE_WINDOW_MS (a minute and a
   * guard band). Only tests and benchmarks that compress time change it; every process sharing a
   * database must use the same.
   */
  rateWindowMs?: number;
};

/** Raised to a waiting caller whose syscall was removed from the queue. */
export class SyscallCancelled extends AppError {
  constructor(message = "The syscall was cancelled before it ran") {
    super("CONFLICT", message);
  }
}

type Waiter = {
  poolId: string;
  resolve: (queuedMs: number) => void;
  reject: (error: unknown) => void;
};

type Fate =
  | { kind: "granted"; queuedMs: number | null }
  | { kind: "cancelled" }
  | { kind: "refused"; reason: string | null };

const fateError = (fate: Exclude<Fate, { kind: "granted" }>) =>
  fate.kind === "cancelled"
    ? new SyscallCancelled()
    : new AppError("BAD_REQUEST", fate.reason ?? "The resource pool can never take this syscall");

/** A foreign key refused a syscall: name what is missing instead of showing the database's words. */
function explainWriteError(error: unknown, poolId: string): unknown {
  if (!(error instanceof pg.DatabaseError) || error.code !== "23503") return error;
  return error.constraint === "syscall_tenant_id_fkey"
    ? new AppError("NOT_FOUND", "Tenant not found")
    : new AppError("NOT_FOUND", `There is no resource pool ${poolId}`);
}

/** A syscall this process sent, until its round writes it (then `id` is set). */
type Arrival = { syscall: NewSyscall; waiter: Waiter | null; id: string | null };

type PoolLoop = {
  running: boolean;
  again: boolean;
  timer: NodeJS.Timeout | null;
  timerAt: number;
  /** Written by the next round: syscalls sent, and attempts finished (their slots freed). */
  arrivals: Arrival[];
  finished: Finished[];
  /** The connection this pool's rounds run on (roundConnection). */
  client: pg.Client | null;
};

const MAX_GRANTS_PER_ROUND = 500;
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * The scheduler as one app process sees it. Every process that sends syscalls runs one; they share
 * the queue in PostgreSQL and dispatch for each other: a round (under the pool's advisory lock)
 * grants whichever syscalls the pool's policy picks, whoever sent them, and notifies their processes
 * (LISTEN/NOTIFY). Dispatch is continuous: a round runs whenever a syscall arrives or finishes, when a
 * rate limit's window or a provider's backoff ends, and on a short tick while this process waits.
 *
 * Liveness: the process holds an advisory lock on its listening connection. When the process dies
 * the lock goes with it, and the next round (in any process) fails its syscalls, freeing their slots.
 */
export class Scheduler {
  private readonly key = randomInt(1, 2 ** 31 - 1);
  private listener: pg.Client | null = null;
  private starting: Promise<void> | null = null;
  private readonly waiters = new Map<string, Waiter>();
  private readonly loops = new Map<string, PoolLoop>();
  private tick: NodeJS.Timeout | null = null;
  private lastPrune = 0;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {}

  /** This process's holder key (what `kernel.syscall.holder` records). */
  get holder(): number {
    return this.key;
  }

  private start(): Promise<void> {
    if (this.stopped) return Promise.reject(new AppError("UNAVAILABLE", "The scheduler has stopped"));
    this.starting ??= this.connect().catch((error: unknown) => {
      this.starting = null;
      throw error;
    });
    return this.starting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.options.pool.options);
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock($1, $2) AS locked",
      [LIVENESS_LOCK_CLASS, this.key],
    );
    if (!rows[0]?.locked) {
      await client.end();
      throw new AppError("INTERNAL", "Another process holds this scheduler's liveness key");
    }
    client.on("notification", (message) => this.onNotification(message.payload ?? ""));
    client.on("error", () => this.lost());
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
    this.tick = setInterval(() => {
      for (const poolId of new Set([...this.waiters.values()].map((w) => w.poolId)))
        this.requestRound(poolId);
    }, this.options.tickMs ?? 1000);
    this.tick.unref();
  }

  /** The listening connection broke: this process no longer counts as alive, so its waits are void. */
  private lost() {
    const listener = this.listener;
    this.listener = null;
    this.starting = null;
    if (this.tick) clearInterval(this.tick);
    void listener?.end().catch(() => undefined);
    const error = new AppError("UNAVAILABLE", "The scheduler lost its database connection; try again");
    for (const waiter of this.waiters.values()) waiter.reject(error);
    this.waiters.clear();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tick) clearInterval(this.tick);
    for (const loop of this.loops.values()) {
      if (loop.timer) clearTimeout(loop.timer);
      // A round in flight finishes on its connection first.
      while (loop.running) await new Promise((resolve) => setTimeout(resolve, 5));
      await loop.client?.end().catch(() => undefined);
      loop.client = null;
    }
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  private onNotification(payload: string) {
    const [kind, holder, ids = ""] = payload.split(":");
    if (Number(holder) !== this.key) return;
    for (const id of ids.split(",")) {
      if (kind === "g") this.settle(id, { kind: "granted", queuedMs: null });
      else if (kind === "c") this.settle(id, { kind: "cancelled" });
      else if (kind === "r") this.settle(id, { kind: "refused", reason: null });
    }
  }

  /** A waiting syscall's fate, decided by a round (or a cancellation) in this process or another. */
  private settle(id: string, fate: Fate) {
    // A syscall is registered before its round commits, so an unknown id is one this process
    // already gave up on (its caller aborted): nothing waits for it.
    const waiter = this.waiters.get(id);
    if (!waiter) return;
    this.waiters.delete(id);
    if (fate.kind === "granted") waiter.resolve(fate.queuedMs ?? Number.NaN);
    else waiter.reject(fateError(fate));
  }

  /**
   * Waits for a slot of the job's pool, runs `attempt` in it, and frees it. A rate-limited attempt
   * goes back in the queue and is tried again after the pool's backoff, so the caller never sees a
   * 429; cancelling (the signal, or the job's run) while it waits removes it from the queue.
   *
   * The syscall is queued, and its slot freed, by this process's next dispatch round (group commit):
   * under load one round writes many processes' worth of arrivals and departures in one statement.
   */
  async run<T>(
    job: Job,
    attempt: () => Promise<Attempt<T>>,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ value: T; timings: Timings }> {
    const started = performance.now();
    const priority = job.priority ?? DEFAULT_PRIORITY;
    if (!Number.isInteger(priority) || priority < MIN_PRIORITY || priority > MAX_PRIORITY)
      throw new AppError(
        "BAD_REQUEST",
        `Priority must be a whole number from ${MIN_PRIORITY} to ${MAX_PRIORITY}`,
      );
    checkPoolId(job.poolId);
    await this.start();
    options.signal?.throwIfAborted();
    const loop = this.loop(job.poolId);
    const arrival: Arrival = {
      syscall: {
        tenantId: job.tenantId,
        agentKey: job.agentKey,
        runId: job.runId ?? null,
        label: job.label,
        priority,
        deadline: job.deadline ?? null,
        tokens: Math.max(0, Math.ceil(job.tokens ?? 0)),
      },
      waiter: null,
      id: null,
    };
    let runMs = 0;
    let attempts = 0;
    let rateLimited = 0;
    const onAbort = () => {
      if (arrival.id === null) {
        // Not written yet: it never reaches the queue.
        const index = loop.arrivals.indexOf(arrival);
        if (index >= 0) loop.arrivals.splice(index, 1);
        arrival.waiter?.reject(new SyscallCancelled());
        return;
      }
      const id = arrival.id;
      void cancelQueued(poolSql(this.options.pool), { ids: [id] }).then((rows) => {
        if (rows.length > 0) this.settle(id, { kind: "cancelled" });
      });
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      let queuedMs = await new Promise<number>((resolve, reject) => {
        arrival.waiter = { poolId: job.poolId, resolve, reject };
        loop.arrivals.push(arrival);
        this.requestRound(job.poolId);
      });
      const id = arrival.id ?? "";
      for (;;) {
        if (Number.isNaN(queuedMs)) queuedMs = await this.queuedMsOf(id);
        attempts += 1;
        const attemptStarted = performance.now();
        let outcome: Attempt<T>;
        try {
          outcome = await attempt();
        } catch (error) {
          runMs += performance.now() - attemptStarted;
          this.finish(job.poolId, {
            id,
            state: "failed",
            error: error instanceof Error ? error.message : String(error),
          });
          throw error;
        }
        runMs += performance.now() - attemptStarted;
        if (outcome.kind === "done") {
          this.finish(job.poolId, { id, state: "done", error: null });
          const total = performance.now() - started;
          return {
            value: outcome.value,
            timings: {
              queuedMs,
              runMs,
              overheadMs: Math.max(0, total - runMs - queuedMs),
              attempts,
              rateLimited,
            },
          };
        }
        rateLimited += 1;
        if (rateLimited >= (this.options.maxRateLimited ?? 8)) {
          const message = `The provider behind ${job.poolId} kept refusing with 429 Too Many Requests (${rateLimited} times); try again later`;
          this.finish(job.poolId, { id, state: "failed", error: message });
          throw new AppError("UNAVAILABLE", message);
        }
        const regranted = new Promise<number>((resolve, reject) => {
          this.waiters.set(id, { poolId: job.poolId, resolve, reject });
        });
        await requeueRateLimited(poolSql(this.options.pool), id, outcome.retryAfterMs);
        this.requestRound(job.poolId);
        queuedMs = await regranted;
      }
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** A granted syscall's attempt ended: its slot is freed by the next round, which also reuses it. */
  private finish(poolId: string, finished: Finished) {
    this.loop(poolId).finished.push(finished);
    this.requestRound(poolId);
  }

  /** The total queue time of a syscall granted by another process's round (its notice carries none). */
  private async queuedMsOf(id: string): Promise<number> {
    const { rows } = await this.options.pool.query<{ queued_ms: number }>(
      "SELECT queued_ms::float8 AS queued_ms FROM kernel.syscall WHERE id = $1",
      [id],
    );
    return Number(rows[0]?.queued_ms ?? 0);
  }

  /** Removes the run's queued syscalls from every pool; running ones finish. Returns how many. */
  async cancelRun(tenantId: string, runId: string): Promise<number> {
    const cancelled = await cancelQueued(poolSql(this.options.pool), { tenantId, runId });
    for (const { id, holder } of cancelled) if (holder === this.key) this.settle(id, { kind: "cancelled" });
    return cancelled.length;
  }

  private loop(poolId: string): PoolLoop {
    let loop = this.loops.get(poolId);
    if (!loop)
      this.loops.set(
        poolId,
        (loop = {
          running: false,
          again: false,
          timer: null,
          timerAt: 0,
          arrivals: [],
          finished: [],
          client: null,
        }),
      );
    return loop;
  }

  /**
   * Each pool's rounds have a connection of their own: a freed slot is granted again as soon as the
   * round can run, not after the syscalls of a thousand agents waiting for the shared pool.
   */
  private async roundConnection(loop: PoolLoop): Promise<pg.Client> {
    if (loop.client) return loop.client;
    const client = new pg.Client(this.options.pool.options);
    client.on("error", () => {
      if (loop.client === client) loop.client = null;
    });
    await client.connect();
    loop.client = client;
    return client;
  }

  /** Asks for a round of the pool; rounds of one pool never overlap within a process. */
  requestRound(poolId: string): void {
    const loop = this.loop(poolId);
    if (loop.running) {
      loop.again = true;
      return;
    }
    void this.roundLoop(poolId, loop);
  }

  private async roundLoop(poolId: string, loop: PoolLoop) {
    loop.running = true;
    try {
      do {
        loop.again = false;
        await this.round(poolId, loop);
      } while (loop.again && !this.stopped);
    } catch (error) {
      // A failed round (say, a dropped connection) is retried by the tick; waiters keep waiting.
      console.error(`Scheduler round for ${poolId} failed:`, error instanceof Error ? error.message : error);
    } finally {
      loop.running = false;
    }
  }

  private async round(poolId: string, loop: PoolLoop) {
    if (this.stopped) return;
    const arrivals = loop.arrivals.splice(0);
    const finished = loop.finished.splice(0);
    const client = await this.roundConnection(loop);
    let broken = false;
    let wrote = false;
    try {
      const began = arrivals.length > 0 || finished.length > 0;
      if (began) {
        await client.query("BEGIN");
        const ids = await writeEvents(
          poolSql(client),
          poolId,
          this.key,
          arrivals.map((a) => a.syscall),
          finished,
        );
        arrivals.forEach((arrival, i) => {
          const id = ids[i] ?? "";
          arrival.id = id;
          if (arrival.waiter) this.waiters.set(id, arrival.waiter);
        });
      }
      const windowMs = this.options.rateWindowMs ?? RATE_WINDOW_MS;
      const rows = await openRound(client, poolId, windowMs, began);
      if (!rows) {
        await client.query("ROLLBACK");
        const error = new AppError("NOT_FOUND", `There is no resource pool ${poolId}`);
        for (const arrival of arrivals) arrival.waiter?.reject(error);
        for (const arrival of arrivals) if (arrival.id) this.waiters.delete(arrival.id);
        return;
      }
      const queued: QueuedSyscall[] = rows.active.filter((s) => s.state === "queued");
      const running = new Map<string, number>();
      for (const s of rows.active)
        if (s.state === "running") running.set(s.tenantId, (running.get(s.tenantId) ?? 0) + 1);
      const plan = planRound({
        pool: rows.pool,
        now: rows.now,
        windowMs,
        queued,
        running,
        recent: rows.recent,
        weights: rows.weights,
        shares: rows.shares,
      });
      plan.grants = plan.grants.slice(0, MAX_GRANTS_PER_ROUND);
      const granted = plan.grants.length > 0 ? await applyRound(client, poolId, plan, this.key) : [];
      const refused = plan.refused.length > 0 ? await refuseSyscalls(client, plan.refused, this.key) : [];
      await client.query("COMMIT");
      wrote = true;
      for (const r of refused)
        if (r.holder === this.key) this.settle(r.id, { kind: "refused", reason: r.reason });
      for (const grant of granted)
        if (grant.holder === this.key) this.settle(grant.id, { kind: "granted", queuedMs: grant.queuedMs });
      if (plan.grants.length === MAX_GRANTS_PER_ROUND) loop.again = true;
      if (plan.wakeAt !== null) this.wakeAt(poolId, loop, plan.wakeAt - rows.now);
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      const explained = explainWriteError(error, poolId);
      if (!wrote) {
        // Nothing was written: the slots given back are written by the next round; the syscalls
        // that arrived fail, so one that cannot be written (say, an unknown tenant) fails alone
        // next time instead of holding up the others forever.
        loop.finished.unshift(...finished);
        for (const arrival of arrivals) {
          if (arrival.id) this.waiters.delete(arrival.id);
          arrival.id = null;
          arrival.waiter?.reject(explained);
        }
      }
      throw explained;
    } finally {
      if (broken) {
        loop.client = null;
        void client.end().catch(() => undefined);
      }
    }
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await pruneFinished(this.options.pool);
    }
  }

  /** A round when a rate limit's window or a backoff ends (the earliest one asked for wins). */
  private wakeAt(poolId: string, loop: PoolLoop, inMs: number) {
    const at = Date.now() + Math.max(1, inMs);
    if (loop.timer && loop.timerAt <= at) return;
    if (loop.timer) clearTimeout(loop.timer);
    loop.timerAt = at;
    loop.timer = setTimeout(() => {
      loop.timer = null;
      this.requestRound(poolId);
    }, at - Date.now());
    loop.timer.unref();
  }
}

/**
 * Chaos: the engine as its own process (`npx tsx server/engine/main.ts`, as `npm run engine` starts it),
 * killed with SIGKILL at random moments while 50 runs progress, and restarted after each kill.
 *
 * The app runs in this test process, so every step execution is observed where it happens, and
 * attributed to the engine process that asked for it: each process is started with its generation (the
 * how-many-th engine process it is) in its environment and a preloaded module that stamps it on the
 * process's outgoing fetch requests (the engine's source is untouched). Timing cannot tell: a request a
 * process wrote just before it was killed can reach the app well after its death (107 ms in one run on
 * a loaded machine, on a connection the app accepted only then), when the next process may be starting.
 * A process is started only once the one before it is dead and its liveness lock gone.
 *
 * What must hold (docs/engine-protocol.md §3; Inngest's contract is at-least-once for a step whose call
 * was interrupted, exactly once otherwise):
 * - every run completes with the right output;
 * - a step runs more than once only because the engine process that asked for an earlier execution was
 *   killed before it recorded the result: the executions of one step come from strictly later
 *   generations, each killed; at most ENGINE_CONCURRENCY interrupted calls per kill;
 * - a step that was executing when a process was killed is executed again (its result cannot have been
 *   recorded);
 * - no memoized step runs again: no execution starts after the step's result was stored, unless the
 *   call was sent by a process that had already been killed by then (a request in flight);
 * - the side-effect counter (keyed by idempotency key `${runId}:${stepId}`) equals the executions.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createIsolatedDatabase } from "@/server/testing/fixtures";
import { freePort } from "@/server/testing/throwaway-database";
import { LOCK_CLASS } from "./queue";

const RUNS = 50;
const KILLS = 6;
const CONCURRENCY = 8;
const FUNCTION_ID = "chaos-steps";
/** The function's step.runs: s1..s3 in sequence, p1 and p2 in parallel, a 1 s sleep, then s4 and s5. */
const STEP_IDS = ["s1", "s2", "s3", "p1", "p2", "s4", "s5"] as const;

// A small seeded generator, so the kill schedule of a failing run can be told apart (the seed is printed).
const seed = Date.now() % 2 ** 31;
let state = seed;
function random(): number {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
}
const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

// ---------------------------------------------------------------------------------------------------
// The app: one function, its executions and side effects recorded here.

/** One call from the engine, as the app received it. */
type Call = { generation: number };
type Execution = {
  runId: string;
  stepId: string;
  generation: number;
  startedAt: number;
  endedAt: number | null;
};

const callContext = new AsyncLocalStorage<Call>();
const executions: Execution[] = [];
const executing = new Set<Execution>();
/** The side effects performed, by idempotency key. */
const effects = new Map<string, number>();
/** Set while a kill waits for a step to be running. */
let onStepStart: (() => void) | null = null;

async function performStep(runId: string, stepId: string, value: number): Promise<number> {
  const call = callContext.getStore();
  if (!call || !Number.isInteger(call.generation))
    throw new Error(`step ${stepId} of ${runId} ran outside a call stamped by an engine process`);
  const execution: Execution = {
    runId,
    stepId,
    generation: call.generation,
    startedAt: Date.now(),
    endedAt: null,
  };
  executions.push(execution);
  executing.add(execution);
  onStepStart?.();
  // Long enough for a kill to land while a step is running.
  await delay(between(5, 20));
  const key = `${runId}:${stepId}`;
  effects.set(key, (effects.get(key) ?? 0) + 1);
  execution.endedAt = Date.now();
  executing.delete(execution);
  return value + 1;
}

/** What run `n` returns, and what each of its steps stores: s1..s3 count up, p1 and p2 add up, s4, s5. */
function expectedValues(n: number): Record<(typeof STEP_IDS)[number], number> & { output: number } {
  return {
    s1: n + 1,
    s2: n + 2,
    s3: n + 3,
    p1: n + 4,
    p2: n + 4,
    s4: 2 * n + 9,
    s5: 2 * n + 10,
    output: 2 * n + 10,
  };
}

const silent = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

// ---------------------------------------------------------------------------------------------------
// Engine processes

const GENERATION_HEADER = "x-chaos-engine-generation";
/**
 * Preloaded into each engine process (`--import` through NODE_OPTIONS): stamps CHAOS_ENGINE_GENERATION on
 * every fetch the process makes, i.e. on the engine's calls to the app and its sync requests.
 */
const stampGeneration = `const generation = process.env.CHAOS_ENGINE_GENERATION;
if (generation !== undefined) {
  const send = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set("${GENERATION_HEADER}", generation);
    return send(input, { ...init, headers });
  };
}`;
const preload = `--import=data:text/javascript;base64,${Buffer.from(stampGeneration).toString("base64")}`;

type EngineProcess = {
  generation: number;
  child: ChildProcess;
  /** The engine's own node process (tsx runs it as a child of its CLI), from its row in engine.worker. */
  pid: number;
  workerId: string;
  exited: Promise<void>;
  killed: boolean;
  output: string[];
};

type Kill = {
  generation: number;
  at: number;
  reason: "while a step ran" | "at a random moment";
  /** The executions that were running in the app at that instant. */
  running: Execution[];
};

let database: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let sql: pg.Pool;
let app: Server;
let appUrl: string;
let enginePort: number;
let engineUrl: string;
let engine: EngineProcess | null = null;
const engines: EngineProcess[] = [];
const kills: Kill[] = [];
/** Set when an engine process exits without being killed: every wait gives up with it. */
let crash: Error | null = null;

const LIVE_WORKERS = `SELECT w.id, w.pid FROM engine.worker w JOIN pg_locks l
  ON l.locktype = 'advisory' AND l.granted AND l.classid = ${LOCK_CLASS}::oid AND l.objid = w.lock_key::oid AND l.objsubid = 2`;

/** Polls `read` until `done` (state, not time). */
async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (crash) throw crash;
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await delay(10);
  }
}

function outputOf(p: EngineProcess): string {
  return `--- engine generation ${p.generation} (pid ${p.pid}) ---\n${p.output.join("").slice(-4000)}`;
}

async function startEngineProcess(): Promise<EngineProcess> {
  const generation = engines.length;
  const child = spawn("npx", ["tsx", "server/engine/main.ts"], {
    cwd: process.cwd(),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "test",
      DATABASE_URL: database.ownerUrl,
      // Empty means unset (server/env.js): nothing from the outer environment may redirect or sign.
      ENGINE_DATABASE_URL: "",
      INNGEST_SIGNING_KEY: "",
      INNGEST_SIGNING_KEY_FALLBACK: "",
      INNGEST_EVENT_KEY: "",
      ENGINE_HOST: "127.0.0.1",
      ENGINE_PORT: String(enginePort),
      ENGINE_APP_URL: appUrl,
      ENGINE_CONCURRENCY: String(CONCURRENCY),
      CHAOS_ENGINE_GENERATION: String(generation),
      NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(" "),
    },
  });
  child.once("error", (error) => (crash ??= error));
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const p: EngineProcess = {
    generation,
    child,
    pid: 0,
    workerId: "",
    killed: false,
    output,
    exited: new Promise((resolve) => child.once("exit", () => resolve())),
  };
  engines.push(p);
  void p.exited.then(() => {
    if (!p.killed) crash ??= new Error(`The engine exited without being killed\n${outputOf(p)}`);
  });
  await waitFor(
    `engine generation ${p.generation} to answer /health`,
    async () => {
      const response = await fetch(`${engineUrl}/health`, { signal: AbortSignal.timeout(1000) }).catch(
        () => null,
      );
      return response?.status ?? 0;
    },
    (status) => status === 200,
    30_000,
  );
  // The engine holds its liveness lock before it listens; the one before it is dead, so it is the only one.
  const live = await sql.query<{ id: string; pid: number }>(LIVE_WORKERS);
  expect(live.rows).toHaveLength(1);
  p.pid = live.rows[0]?.pid ?? 0;
  p.workerId = live.rows[0]?.id ?? "";
  expect(p.pid).not.toBe(child.pid);
  engine = p;
  return p;
}

/** False for a process that is gone or a zombie (nothing reaps the orphaned tsx children here). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3));
  } catch {
    return true;
  }
}

/** SIGKILL to the whole process group (npx, sh, the tsx CLI and the engine's node process). */
function killEngine(reason: Kill["reason"]): void {
  const p = engine;
  if (!p?.child.pid) throw new Error("no engine to kill");
  kills.push({ generation: p.generation, at: Date.now(), reason, running: [...executing] });
  p.killed = true;
  engine = null;
  process.kill(-p.child.pid, "SIGKILL");
}

async function waitUntilDead(p: EngineProcess): Promise<void> {
  await p.exited;
  await waitFor(
    `engine pid ${p.pid} to die`,
    () => Promise.resolve(isAlive(p.pid)),
    (alive) => !alive,
    10_000,
  );
  // PostgreSQL drops the liveness lock when it notices the connection is gone; the next process relies on it.
  await waitFor(
    `the liveness lock of engine generation ${p.generation} to go`,
    async () => (await sql.query(`${LIVE_WORKERS} WHERE w.id = $1`, [p.workerId])).rowCount,
    (n) => n === 0,
    10_000,
  );
}

/** Kills as soon as a step is running in the app (synchronously, so it is still running). */
async function killWhileStepRuns(): Promise<void> {
  if (executing.size > 0) return killEngine("while a step ran");
  await new Promise<void>((resolve) => {
    const fallback = setTimeout(() => {
      onStepStart = null;
      killEngine("at a random moment");
      resolve();
    }, 10_000);
    onStepStart = () => {
      onStepStart = null;
      clearTimeout(fallback);
      killEngine("while a step ran");
      resolve();
    };
  });
}

// ---------------------------------------------------------------------------------------------------

const chaosClient = (baseUrl: string) => new Inngest({ id: "chaos", isDev: true, baseUrl, logger: silent });
let client: ReturnType<typeof chaosClient>;

beforeAll(async () => {
  database = await createIsolatedDatabase();
  sql = new pg.Pool({ connectionString: database.ownerUrl, max: 2 });
  enginePort = await freePort();
  engineUrl = `http://127.0.0.1:${enginePort}`;
  client = chaosClient(engineUrl);
  const steps = client.createFunction(
    { id: "steps", triggers: [{ event: "chaos/run.requested" }] },
    async ({ event, step, runId }) => {
      let value = Number(event.data.n);
      for (const id of ["s1", "s2", "s3"]) value = await step.run(id, () => performStep(runId, id, value));
      const [a, b] = await Promise.all(
        ["p1", "p2"].map((id) => step.run(id, () => performStep(runId, id, value))),
      );
      await step.sleep("pause", "1s");
      value = await step.run("s4", () => performStep(runId, "s4", (a ?? 0) + (b ?? 0)));
      return step.run("s5", () => performStep(runId, "s5", value));
    },
  );
  const handler = serve({ client, functions: [steps] });
  app = createServer((req, res) => {
    const call: Call = { generation: Number(req.headers[GENERATION_HEADER] ?? Number.NaN) };
    callContext.run(call, () => handler(req, res));
  });
  // Longer than the engine's idle connections live, so the app never closes one under a new request.
  app.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/inngest`;
});

afterAll(async () => {
  onStepStart = null;
  const last = engine;
  if (last?.child.pid) {
    last.killed = true;
    process.kill(-last.child.pid, "SIGKILL");
    await waitUntilDead(last).catch(() => {});
  }
  if (app) {
    const closed = new Promise<void>((resolve) => app.close(() => resolve()));
    app.closeAllConnections();
    await closed;
  }
  await sql?.end();
  await database?.close();
});

it(`completes ${RUNS} runs across ${KILLS} kill -9s of the engine, re-running only interrupted steps`, async () => {
  const began = Date.now();
  await startEngineProcess();
  await waitFor(
    "the app to be synced",
    async () => (await sql.query("SELECT 1 FROM engine.function WHERE id = $1", [FUNCTION_ID])).rowCount,
    (n) => n === 1,
    30_000,
  );

  // The events go out in one batch per engine process, each event with its own id: a send repeated
  // after a lost response starts no second run.
  const events = Array.from({ length: RUNS }, (_, n) => ({
    name: "chaos/run.requested",
    id: `chaos-${n}`,
    data: { n },
  }));
  for (let k = 0; k < KILLS; k++) {
    const batch = events.slice(Math.floor((k * RUNS) / KILLS), Math.floor(((k + 1) * RUNS) / KILLS));
    for (let attempt = 0; ; attempt++) {
      try {
        await client.send(batch);
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
        await delay(100);
      }
    }
    await delay(between(50, 1500));
    const dying = engine;
    if (!dying) throw new Error("no engine running");
    if (k % 2 === 0) await killWhileStepRuns();
    else killEngine("at a random moment");
    await waitUntilDead(dying);
    await startEngineProcess();
  }

  const runs = await waitFor(
    `all ${RUNS} runs to complete`,
    async () =>
      (
        await sql.query<{ id: string; status: string; output: unknown; n: number }>(
          "SELECT id, status, output, (event->'data'->>'n')::int AS n FROM engine.run WHERE function_id = $1",
          [FUNCTION_ID],
        )
      ).rows,
    (rows) => rows.length === RUNS && rows.every((r) => r.status !== "running"),
    90_000,
  ).catch(async (error: unknown) => {
    const jobs = await sql.query("SELECT run_id, kind, step_id, attempt, claimed_by FROM engine.job");
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\njobs: ${JSON.stringify(jobs.rows)}\n${engines.map(outputOf).join("\n")}`,
    );
  });

  // A call sent just before a kill may still be running its step in the app; its side effect counts too.
  await waitFor(
    "the app's running steps to end",
    () => Promise.resolve(executing.size),
    (n) => n === 0,
    10_000,
  );

  // Every run completed once, with the right output.
  expect(runs.map((r) => r.n).sort((a, b) => a - b)).toEqual(events.map((e) => e.data.n));
  for (const run of runs) {
    expect(run.status, `run ${run.id} (n = ${run.n})`).toBe("completed");
    expect(run.output).toBe(expectedValues(run.n).output);
  }
  // No call failed: the app was always there, so a kill is the only reason for a step to run again.
  const failures = await sql.query(
    "SELECT run_id, step_id, kind, data FROM engine.history WHERE kind IN ('call.failed', 'step.errored', 'step.failed')",
  );
  expect(failures.rows).toEqual([]);

  const stored = await sql.query<{
    run_id: string;
    name: string;
    status: string;
    state: unknown;
    ended_at: Date;
  }>(
    "SELECT s.run_id, s.name, s.status, s.state, s.ended_at FROM engine.step s JOIN engine.run r ON r.id = s.run_id WHERE r.function_id = $1",
    [FUNCTION_ID],
  );
  const storedAt = new Map(stored.rows.map((s) => [`${s.run_id}:${s.name}`, s]));
  const killAt = new Map(kills.map((k) => [k.generation, k.at]));

  const interrupted: Execution[] = [];
  let lateStarts = 0;
  for (const run of runs) {
    const expected = expectedValues(run.n);
    for (const stepId of STEP_IDS) {
      const key = `${run.id}:${stepId}`;
      const mine = executions
        .filter((e) => e.runId === run.id && e.stepId === stepId)
        .sort((a, b) => a.generation - b.generation || a.startedAt - b.startedAt);
      expect(mine.length, key).toBeGreaterThanOrEqual(1);
      // The side effect happened once per execution, never on its own.
      expect(effects.get(key), key).toBe(mine.length);
      const step = storedAt.get(key);
      expect(step?.status, key).toBe("completed");
      expect(step?.state, key).toEqual({ data: expected[stepId] });
      // At most one execution per engine process; all but the last were asked for by a process that
      // was then killed.
      for (let i = 1; i < mine.length; i++) {
        expect(mine[i]?.generation, key).toBeGreaterThan(mine[i - 1]?.generation ?? Infinity);
      }
      for (const earlier of mine.slice(0, -1)) {
        expect(killAt.has(earlier.generation), key).toBe(true);
        interrupted.push(earlier);
      }
      // No execution started after the result was stored, unless it was asked for by a process that
      // was killed before then (its request was already on its way).
      const storedTime = step?.ended_at.getTime() ?? 0;
      for (const e of mine.filter((x) => x.startedAt > storedTime)) {
        const killedAt = killAt.get(e.generation);
        expect(killedAt !== undefined && killedAt <= storedTime, `${key} ran again after it was stored`).toBe(
          true,
        );
        lateStarts++;
      }
    }
  }

  // Interrupted calls are explained by the kills: each was in flight in a killed process, a process
  // has at most ENGINE_CONCURRENCY calls in flight, and a step that was running at a kill ran again.
  for (const kill of kills) {
    const own = interrupted.filter((e) => e.generation === kill.generation);
    expect(own.length).toBeLessThanOrEqual(CONCURRENCY);
    for (const e of kill.running) expect(interrupted, `${e.runId}:${e.stepId} ran at a kill`).toContain(e);
    if (kill.reason === "while a step ran") expect(kill.running.length).toBeGreaterThan(0);
  }
  // The process started last is still running: no engine process ever exited on its own.
  expect(crash).toBeNull();
  const reexecutions = [...effects.values()].reduce((sum, n) => sum + n - 1, 0);
  expect(reexecutions).toBe(interrupted.length);
  expect(reexecutions).toBeLessThanOrEqual(kills.length * CONCURRENCY);

  const released = engines
    .flatMap((p) => [...p.output.join("").matchAll(/released (\d+) job/g)])
    .reduce((sum, m) => sum + Number(m[1]), 0);
  const runningAtKill = interrupted.filter((e) => kills.some((k) => k.running.includes(e))).length;
  const returnedBefore = interrupted.filter(
    (e) => e.endedAt !== null && e.endedAt <= (killAt.get(e.generation) ?? 0),
  ).length;
  console.log(
    `[chaos] ${runs.length} runs completed; ${kills.length} kills (${kills.filter((k) => k.reason === "while a step ran").length} while a step ran); ` +
      `${executions.length} step executions for ${runs.length * STEP_IDS.length} steps; ${reexecutions} re-executions, each of a call ` +
      `interrupted by a kill (${runningAtKill} running at the kill, ${returnedBefore} returned before it but not yet recorded, ` +
      `${reexecutions - runningAtKill - returnedBefore} started after it); ${lateStarts} executions began after the step's result was ` +
      `stored, each asked for by a process killed before then; ${released} jobs of killed processes released by their successors; ${((Date.now() - began) / 1000).toFixed(1)} s (seed ${seed})`,
  );
}, 180_000);

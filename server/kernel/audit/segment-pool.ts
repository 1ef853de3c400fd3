import os from "node:os";
import { Worker } from "node:worker_threads";
import { SegmentCheck, type SegmentJob, type SegmentResult } from "./chain-segment.mjs";

/**
 * Where verifyChain hashes: a few worker threads shared by every verification in the process, so that
 * hashing runs on every core while the main thread reads the next rows. Workers start on first use and
 * stop after a while idle. If one cannot start or dies, every segment from then on is checked on the
 * main thread instead (same code, same result, slower), and the reason is logged once.
 */

/** Rows checked between two turns of the event loop when a segment is checked on this thread. */
const ROWS_PER_TURN = 250;
/** Idle workers stop after this long; starting one again takes a few tens of milliseconds. */
const IDLE_MS = 30_000;

/**
 * Worker threads to use by default: two where there are two cores or more (PostgreSQL building the
 * rows needs the rest; more rarely helps, since one backend builds them all), none on a single core.
 */
export function defaultWorkerCount(): number {
  const cores = os.availableParallelism();
  return cores > 1 ? 2 : 0;
}

type Waiting = { resolve: (result: SegmentResult) => void; reject: (error: Error) => void };
type PoolWorker = { worker: Worker; waiting: Map<number, Waiting>; stopping: boolean };
type Reply = { id: number; result: SegmentResult };

let workers: PoolWorker[] = [];
let unavailable = false;
let nextId = 0;
let idleTimer: NodeJS.Timeout | undefined;

/**
 * Checks a segment on one of `workerCount` worker threads, or on this thread when `workerCount` is 0
 * or workers are unavailable. Never rejects for a worker's sake: a segment whose worker failed is
 * checked again here.
 */
export async function checkSegment(job: SegmentJob, workerCount: number): Promise<SegmentResult> {
  if (workerCount > 0 && !unavailable) {
    try {
      return await onWorker(job, workerCount);
    } catch (error) {
      if (!unavailable) throw error;
    }
  }
  return checkHere(job);
}

async function checkHere(job: SegmentJob): Promise<SegmentResult> {
  const check = new SegmentCheck(job);
  // Let the event loop run between slices, so that the next rows keep arriving from the database.
  while (!check.advance(ROWS_PER_TURN)) await new Promise((resolve) => setImmediate(resolve));
  return check.result();
}

function onWorker(job: SegmentJob, workerCount: number): Promise<SegmentResult> {
  clearTimeout(idleTimer);
  while (workers.length < workerCount) {
    const started = startWorker();
    if (!started) break;
    workers.push(started);
  }
  const target = workers.reduce<PoolWorker | undefined>(
    (best, w) => (best && best.waiting.size <= w.waiting.size ? best : w),
    undefined,
  );
  if (!target) return Promise.reject(new Error("audit: no verification worker"));
  const id = nextId++;
  return new Promise((resolve, reject) => {
    // A worker with work keeps the process alive; an idle one does not.
    if (target.waiting.size === 0) target.worker.ref();
    target.waiting.set(id, { resolve, reject });
    target.worker.postMessage({ id, job });
  });
}

function startWorker(): PoolWorker | null {
  let worker: Worker;
  try {
    // A literal new URL(…, import.meta.url) inside new Worker(…) is what bundlers look for to ship the
    // file; it imports only Node's built-ins, so it needs no loader (execArgv: [] keeps tsx's out).
    worker = new Worker(new URL("./chain-segment-worker.mjs", import.meta.url), { execArgv: [] });
  } catch (error) {
    giveUp(error);
    return null;
  }
  const self: PoolWorker = { worker, waiting: new Map(), stopping: false };
  worker.unref();
  worker.on("message", (reply: Reply) => {
    const waiting = self.waiting.get(reply.id);
    if (!waiting) return;
    self.waiting.delete(reply.id);
    if (self.waiting.size === 0) worker.unref();
    waiting.resolve(reply.result);
    if (workers.every((w) => w.waiting.size === 0)) {
      idleTimer = setTimeout(stopIdleWorkers, IDLE_MS);
      idleTimer.unref();
    }
  });
  const fail = (error: unknown) => {
    if (self.stopping) return;
    self.stopping = true;
    giveUp(error);
    workers = workers.filter((w) => w !== self);
    const err = error instanceof Error ? error : new Error(String(error));
    for (const waiting of self.waiting.values()) waiting.reject(err);
    self.waiting.clear();
    void worker.terminate();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`audit: a verification worker exited with code ${code}`)));
  return self;
}

function giveUp(error: unknown): void {
  if (unavailable) return;
  unavailable = true;
  console.warn("[audit] verification worker threads are unavailable; hashing on the main thread", error);
}

function stopIdleWorkers(): void {
  if (workers.some((w) => w.waiting.size > 0)) return;
  for (const w of workers) {
    w.stopping = true;
    void w.worker.terminate();
  }
  workers = [];
}

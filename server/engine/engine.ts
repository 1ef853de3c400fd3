/**
 * Tenet's workflow engine: an Inngest-compatible server (docs/engine-protocol.md) that the unchanged
 * `inngest` SDK talks to. One process = an HTTP server, a dispatcher that claims jobs and calls the app,
 * a cron scheduler, and housekeeping. Any number of processes may share one database.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createDb, transaction } from "./db";
import { runJob } from "./executor";
import { createHandler } from "./http";
import { claimJobs, nextDue, registerWorker, releaseDeadClaims } from "./queue";
import { createRun, type FunctionRow, SCHEDULED_EVENT } from "./runs";
import { canonicalJson, signBody } from "./signing";
import { nextCronTime } from "./time";

export type EngineOptions = {
  /** Owner connection to the database holding schema `engine`. */
  databaseUrl: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The apps' serve URLs (e.g. http://127.0.0.1:3000/api/inngest), synced at start and periodically. */
  appUrls?: string[];
  /** Signing keys (primary first): calls are signed, responses and API requests verified. */
  signingKeys?: string[];
  /** Accepted event keys; empty accepts any (development). */
  eventKeys?: string[];
  /** Calls to the app at once from this process. */
  concurrency?: number;
  callTimeoutMs?: number;
  /** First retry delay; doubles per attempt, with jitter. */
  retryBaseMs?: number;
  /** How often to ask the apps to sync again (0: only at start). */
  resyncMs?: number;
  log?: (line: string) => void;
};

export type Engine = {
  url: string;
  /** Asks every app to sync now; resolves when each has answered (or failed). */
  sync: () => Promise<void>;
  stop: () => Promise<void>;
};

/** How long finished runs (with their steps and timeline) and events are kept. */
export const RETENTION_DAYS = 30;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const log = options.log ?? ((line: string) => console.log(`[engine] ${line}`));
  const concurrency = options.concurrency ?? 32;
  const signingKeys = options.signingKeys ?? [];
  const callTimeoutMs = options.callTimeoutMs ?? 5 * 60_000;
  const db = createDb(options.databaseUrl, concurrency + 8);
  db.on("error", (error) => log(`database connection error: ${error.message}`));

  let stopped = false;
  let inflight = 0;
  let wakeUp: (() => void) | null = null;
  let woken = false;
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const worker = await registerWorker(options.databaseUrl, wake);
  worker.connection.on("error", (error) => log(`worker connection error: ${error.message}`));
  const leaseSeconds = Math.ceil(callTimeoutMs / 1000) + 60;
  const executor = {
    db,
    workerId: worker.id,
    signingKeys,
    callTimeoutMs,
    retryBaseMs: options.retryBaseMs ?? 1000,
    leaseSeconds,
  };
  const running = new Set<Promise<void>>();

  async function dispatch(): Promise<void> {
    while (!stopped) {
      woken = false;
      const free = Math.min(concurrency - inflight, 64);
      let claimed = 0;
      if (free > 0) {
        try {
          const jobs = await claimJobs(db, worker.id, free, leaseSeconds);
          claimed = jobs.length;
          for (const job of jobs) {
            inflight++;
            const p = runJob(executor, job)
              .catch((error: unknown) =>
                log(
                  `job ${job.id} (${job.kind}) failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
                ),
              )
              .finally(() => {
                inflight--;
                running.delete(p);
                wake();
              });
            running.add(p);
          }
        } catch (error) {
          if (stopped) return;
          log(`claiming jobs failed: ${error instanceof Error ? error.message : String(error)}`);
          await sleep(500);
        }
      }
      if ((claimed > 0 && claimed === free) || woken) continue;
      let waitMs = 1000;
      if (inflight < concurrency) {
        const due = await nextDue(db).catch(() => null);
        // A due job that was not claimed is held back by a limit: look again shortly, not in a busy loop.
        if (due) waitMs = Math.max(claimed === 0 ? 50 : 0, Math.min(1000, due.getTime() - Date.now()));
      }
      if (woken || stopped) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = null;
    }
  }

  async function fireCrons(): Promise<void> {
    await transaction(db, async (c) => {
      const { rows } = await c.query<FunctionRow & { position: number; schedule: string; next_at: Date }>(
        `SELECT c.position, c.schedule, c.next_at, f.id, f.app_id, f.name, f.url, f.config, f.max_attempts
         FROM engine.cron c JOIN engine.function f ON f.id = c.function_id
         WHERE c.next_at <= now() ORDER BY c.next_at LIMIT 20 FOR UPDATE OF c SKIP LOCKED`,
      );
      for (const row of rows) {
        // A schedule missed while no engine ran fires once, not once per missed tick.
        const next = nextCronTime(row.schedule, new Date(Math.max(Date.now(), row.next_at.getTime())));
        await c.query("UPDATE engine.cron SET next_at = $3 WHERE function_id = $1 AND position = $2", [
          row.id,
          row.position,
          next,
        ]);
        await createRun(c, row, [
          {
            name: SCHEDULED_EVENT,
            data: { cron: row.schedule },
            id: `cron:${row.id}:${row.next_at.toISOString()}`,
            ts: row.next_at.getTime(),
            user: {},
          },
        ]);
      }
    });
  }

  async function housekeeping(): Promise<void> {
    const released = await releaseDeadClaims(db);
    if (released > 0) log(`released ${released} job(s) claimed by stopped engine processes`);
  }

  async function forgetExpired(): Promise<void> {
    await db.query("DELETE FROM engine.event_seen WHERE seen_at < now() - interval '24 hours'");
    await db.query("DELETE FROM engine.idempotency WHERE expires_at < now()");
    await db.query("DELETE FROM engine.waiter WHERE kind = 'cancel' AND expires_at < now()");
    // Finished runs and old events are kept for RETENTION_DAYS, like Inngest's run history.
    await db.query(
      `DELETE FROM engine.run WHERE created_at < now() - make_interval(days => $1) AND status <> 'running'`,
      [RETENTION_DAYS],
    );
    await db.query("DELETE FROM engine.event WHERE received_at < now() - make_interval(days => $1)", [
      RETENTION_DAYS,
    ]);
  }

  async function syncApp(appUrl: string, quiet = false): Promise<boolean> {
    const body = canonicalJson({ url: appUrl });
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-inngest-server-kind": signingKeys[0] ? "cloud" : "dev",
    };
    if (signingKeys[0]) headers["x-inngest-signature"] = signBody(body, signingKeys[0]);
    try {
      const response = await fetch(appUrl, {
        method: "PUT",
        headers,
        body,
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      if (!response.ok) {
        if (!quiet) log(`sync of ${appUrl} failed: ${response.status} ${text.slice(0, 500)}`);
        return false;
      }
      return true;
    } catch (error) {
      if (quiet) return false;
      log(
        `sync of ${appUrl} failed: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`,
      );
      return false;
    }
  }

  const appUrls = options.appUrls ?? [];
  const sync = async () => {
    await Promise.all(appUrls.map((appUrl) => syncApp(appUrl)));
  };

  const handler = createHandler({ db, signingKeys, eventKeys: options.eventKeys ?? [], sync, log });
  const server = createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8288, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

  const intervals = [
    setInterval(
      () => void housekeeping().catch((e: unknown) => log(`housekeeping failed: ${String(e)}`)),
      1000,
    ),
    setInterval(() => void fireCrons().catch((e: unknown) => log(`cron failed: ${String(e)}`)), 1000),
    setInterval(
      () => void forgetExpired().catch((e: unknown) => log(`cleanup failed: ${String(e)}`)),
      60_000,
    ),
  ];
  if (options.resyncMs) intervals.push(setInterval(() => void sync(), options.resyncMs));
  // A predecessor killed moments ago may still hold claims: take them back before dispatching.
  await housekeeping().catch((e: unknown) => log(`housekeeping failed: ${String(e)}`));
  const dispatcher = dispatch();

  // The app may start after the engine (npm run dev starts both): keep asking until each app has synced.
  void (async () => {
    const pending = new Set(appUrls);
    const startedAt = Date.now();
    for (let delay = 500; pending.size > 0 && !stopped; delay = Math.min(delay * 2, 10_000)) {
      // Quiet at first: the app is usually still starting (Next.js compiles the route on first request).
      const quiet = Date.now() - startedAt < 30_000;
      for (const appUrl of [...pending]) {
        if (await syncApp(appUrl, quiet)) {
          pending.delete(appUrl);
          log(`synced ${appUrl}`);
        }
      }
      if (pending.size > 0) await sleep(delay);
    }
  })();

  return {
    url,
    sync,
    stop: async () => {
      stopped = true;
      for (const interval of intervals) clearInterval(interval);
      wake();
      await dispatcher;
      await Promise.allSettled([...running]);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await worker.close();
      await db.end();
    },
  };
}

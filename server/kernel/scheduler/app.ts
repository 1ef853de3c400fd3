import { getDb, poolOf } from "@/server/db/client";
import { Scheduler } from "./scheduler";

// One scheduler per process; Next.js dev reloads modules, so it lives on globalThis like the db client.
declare global {
  var tenetScheduler: Scheduler | undefined;
}

/** This app process's scheduler, on the app's connection pool. */
export function appScheduler(): Scheduler {
  globalThis.tenetScheduler ??= new Scheduler({ pool: poolOf(getDb()) });
  return globalThis.tenetScheduler;
}

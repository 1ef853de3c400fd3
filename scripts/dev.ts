/**
 * `npm run dev`: the product on a fresh machine. Uses DATABASE_URL when set, else starts an embedded
 * PostgreSQL under .data/; applies migrations; seeds the demo tenants; runs Next.js and Tenet's workflow
 * engine (unless INNGEST_BASE_URL or INNGEST_DEV point the app at Inngest's own servers).
 */
import "./dev-env";
import { spawn } from "node:child_process";
import pg from "pg";
import { createPrismaClient } from "@/server/db/client";
import { env } from "@/server/env.js";
import { DEMO_PASSWORD, seedDemo } from "@/prisma/seed";
import { poolSql } from "@/server/kernel/scheduler/store";
import { openLocalDatabase } from "./local-database";

const log = (line: string) => console.log(`[tenet] ${line}`);

const database = await openLocalDatabase(log);
const db = createPrismaClient(database.appUrl, { max: 2 });
const owner = new pg.Pool({ connectionString: database.ownerUrl, max: 1 });
const created = await seedDemo(db, poolSql(owner));
await owner.end();
await db.$disconnect();
if (created.length > 0) log(`seeded demo accounts (password "${DEMO_PASSWORD}"): ${created.join(", ")}`);
else log(`demo accounts exist (e.g. owner@acme.example, password "${DEMO_PASSWORD}")`);

const childEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: database.ownerUrl };
// Each in its own process group, so that stopping dev stops Next.js and the workers it forks.
const children = [
  spawn("npx", ["next", "dev", "--port", String(env.PORT)], {
    stdio: "inherit",
    detached: true,
    env: childEnv,
  }),
];
if (env.INNGEST_BASE_URL || env.INNGEST_DEV) {
  log("workflows: INNGEST_BASE_URL/INNGEST_DEV are set, so Tenet's engine is not started");
} else {
  children.push(
    spawn("npx", ["tsx", "server/engine/main.ts"], { stdio: "inherit", detached: true, env: childEnv }),
  );
}

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
  await database.stop();
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
for (const child of children) child.on("exit", (code) => void stop(code ?? 0));

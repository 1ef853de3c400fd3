/**
 * `npm run dev`: the product on a fresh machine. Uses DATABASE_URL when set, else starts an embedded
 * PostgreSQL under .data/; applies migrations; seeds the demo tenants; runs Next.js.
 */
import "./dev-env";
import { spawn } from "node:child_process";
import { createPrismaClient } from "@/server/db/client";
import { env } from "@/server/env.js";
import { DEMO_PASSWORD, seedDemo } from "@/prisma/seed";
import { openLocalDatabase } from "./local-database";

const log = (line: string) => console.log(`[tenet] ${line}`);

const database = await openLocalDatabase(log);
const db = createPrismaClient(database.appUrl, { max: 2 });
const created = await seedDemo(db);
await db.$disconnect();
if (created.length > 0) log(`seeded demo accounts (password "${DEMO_PASSWORD}"): ${created.join(", ")}`);
else log(`demo accounts exist (e.g. owner@acme.example, password "${DEMO_PASSWORD}")`);

// Its own process group, so that stopping dev stops Next.js and the workers it forks.
const child = spawn("npx", ["next", "dev", "--port", String(env.PORT)], {
  stdio: "inherit",
  detached: true,
  env: {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: database.ownerUrl,
  },
});

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
  await database.stop();
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
child.on("exit", (code) => void stop(code ?? 0));

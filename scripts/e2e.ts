/**
 * `npm run test:e2e`: a fresh database (on DATABASE_URL's server, else an embedded PostgreSQL), migrated;
 * a production build of the app started against it; then Playwright in Debian's Chromium.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { freePort, openThrowawayDatabase } from "@/server/testing/throwaway-database";
import { CHROMIUM_PATH } from "@/playwright.config";
import { run } from "./run";

if (!existsSync(CHROMIUM_PATH)) {
  console.error(
    `Chromium not found at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" (Debian), or set CHROMIUM_PATH.`,
  );
  process.exit(1);
}

const cleanup: (() => Promise<void>)[] = [];
let exitCode = 1;
try {
  const database = await openThrowawayDatabase("tenet_e2e");
  cleanup.unshift(database.close);

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const appEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: database.ownerUrl,
    DATABASE_APP_URL: database.appUrl,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    AUTH_TRUST_HOST: "true",
    APP_URL: baseUrl,
  };

  console.log("building the app (next build)…");
  if ((await run("npx", ["next", "build"], { env: appEnv })) !== 0) throw new Error("next build failed");

  const app = spawn("npx", ["next", "start", "--port", String(port), "--hostname", "127.0.0.1"], {
    env: appEnv,
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  cleanup.unshift(() => {
    if (app.pid && app.exitCode === null) process.kill(-app.pid, "SIGTERM");
    return Promise.resolve();
  });
  await waitForApp(baseUrl, () => app.exitCode !== null);

  exitCode = await run("npx", ["playwright", "test", ...process.argv.slice(2)], {
    env: { ...process.env, E2E_BASE_URL: baseUrl },
  });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  for (const step of cleanup) await step().catch((e: unknown) => console.error("cleanup:", e));
}
process.exit(exitCode);

/** Polls until the app answers its sign-in page (a state, not a fixed delay). */
async function waitForApp(url: string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error("next start exited before it was ready");
    try {
      const res = await fetch(`${url}/sign-in`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the app did not answer at ${url} within 2 minutes`);
}

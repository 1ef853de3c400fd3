/**
 * `npm run test:e2e`: a fresh database (on DATABASE_URL's server, else an embedded PostgreSQL), migrated;
 * an OpenID Connect provider on loopback for single sign-on; a production build of the app and Tenet's
 * workflow engine started against both, their traffic signed as in production; then Playwright in
 * Debian's Chromium.
 */
import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
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
  // "localhost", not 127.0.0.1: Next.js rewrites 127.0.0.1 to localhost in request URLs, and the OAuth
  // redirect URI must read the same at sign-in and at the callback.
  const baseUrl = `http://localhost:${port}`;
  // Loaded only now: oidc-provider prints runtime warnings on import, which would bury the Chromium line.
  const { startIdentityProvider } = await import("@/e2e/identity-provider");
  const idp = await startIdentityProvider(await freePort(), baseUrl);
  cleanup.unshift(idp.close);
  const appEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: database.ownerUrl,
    DATABASE_APP_URL: database.appUrl,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    AUDIT_SIGNING_KEY: generateKeyPairSync("ed25519")
      .privateKey.export({ type: "pkcs8", format: "der" })
      .toString("base64"),
    AUTH_TRUST_HOST: "true",
    APP_URL: baseUrl,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    OIDC_DISPLAY_NAME: "Test identity provider",
    INNGEST_SIGNING_KEY: `signkey-e2e-${randomBytes(32).toString("hex")}`,
    CREDENTIALS_KEYS: `e2e:${randomBytes(32).toString("base64")}`,
    INNGEST_EVENT_KEY: randomBytes(16).toString("hex"),
    ENGINE_PORT: String(await freePort()),
    ENGINE_APP_URL: `http://127.0.0.1:${port}/api/inngest`,
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

  const engine = spawn("npx", ["tsx", "server/engine/main.ts"], {
    env: appEnv,
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  cleanup.unshift(() => {
    if (engine.pid && engine.exitCode === null) process.kill(-engine.pid, "SIGTERM");
    return Promise.resolve();
  });
  await waitFor(
    `http://127.0.0.1:${appEnv.ENGINE_PORT}/health`,
    () => engine.exitCode !== null,
    "the engine",
  );

  // The owner's connection too, for what only the database owner may do (e2e/fixtures.ts `operator`).
  exitCode = await run("npx", ["playwright", "test", ...process.argv.slice(2)], {
    env: { ...process.env, E2E_BASE_URL: baseUrl, E2E_DATABASE_URL: database.ownerUrl },
  });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  for (const step of cleanup) await step().catch((e: unknown) => console.error("cleanup:", e));
}
process.exit(exitCode);

/** Polls until the app answers its sign-in page (a state, not a fixed delay). */
function waitForApp(url: string, exited: () => boolean): Promise<void> {
  return waitFor(`${url}/sign-in`, exited, "the app");
}

async function waitFor(url: string, exited: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`${what} exited before it was ready`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not answer at ${url} within 2 minutes`);
}

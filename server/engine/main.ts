/**
 * `npm run engine`: Tenet's workflow engine as its own process (`npm run dev` starts it beside Next.js).
 * Configuration comes from server/env.js; see the README's "Workflows" section.
 */
import { env } from "@/server/env.js";
import { startEngine } from "./engine";

const databaseUrl = env.ENGINE_DATABASE_URL ?? env.DATABASE_URL;
if (!databaseUrl) {
  console.error("[engine] DATABASE_URL (or ENGINE_DATABASE_URL) must point at Tenet's database");
  process.exit(1);
}

const engine = await startEngine({
  databaseUrl,
  host: env.ENGINE_HOST,
  port: env.ENGINE_PORT,
  appUrls: [env.ENGINE_APP_URL ?? `http://127.0.0.1:${env.PORT}/api/inngest`],
  signingKeys: [env.INNGEST_SIGNING_KEY, env.INNGEST_SIGNING_KEY_FALLBACK].filter((k): k is string =>
    Boolean(k),
  ),
  eventKeys: env.INNGEST_EVENT_KEY ? [env.INNGEST_EVENT_KEY] : [],
  concurrency: env.ENGINE_CONCURRENCY,
  resyncMs: 60_000,
});
console.log(`[engine] listening on ${engine.url}`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await engine.stop();
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());

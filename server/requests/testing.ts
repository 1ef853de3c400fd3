/**
 * Test harness for request workflows: a database of their own, Tenet's workflow engine, and the app's
 * real functions served by the unchanged SDK on loopback, all over real HTTP. The app's modules are
 * loaded afresh after pointing its configuration at that database and engine (server/env.js reads it
 * once), so the kernel, the connectors and the workflows are exactly the app's.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "inngest/node";
import { inject, vi } from "vitest";
import type { PrismaClient } from "@/server/db/client";
import { startEngine, type Engine } from "@/server/engine/engine";
import { createIsolatedDatabase } from "@/server/testing/fixtures";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(handler: Handler) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

async function loadApp() {
  vi.resetModules();
  const [client, functions, requests, approvals, routing, dbClient, events] = await Promise.all([
    import("@/server/workflows/client"),
    import("@/server/workflows/functions"),
    import("./requests"),
    import("./approvals"),
    import("./routing"),
    import("@/server/db/client"),
    import("@/server/workflows/events"),
  ]);
  return { client, functions, requests, approvals, routing, dbClient, events };
}

export type RequestHarness = Awaited<ReturnType<typeof startRequestHarness>>;

export async function startRequestHarness() {
  const database = await createIsolatedDatabase();
  const appUrl = new URL(inject("appUrl"));
  appUrl.pathname = new URL(database.ownerUrl).pathname;
  const signingKey = `signkey-test-${randomBytes(32).toString("hex")}`;
  let handler: Handler = (_req, res) => void res.writeHead(503).end();
  const appServer = await listen((req, res) => handler(req, res));
  const engine: Engine = await startEngine({
    databaseUrl: database.ownerUrl,
    host: "127.0.0.1",
    port: 0,
    appUrls: [`http://127.0.0.1:${appServer.port}/api/inngest`],
    signingKeys: [signingKey],
    retryBaseMs: 20,
    log: () => {},
  });
  vi.stubEnv("ENGINE_URL", engine.url);
  vi.stubEnv("DATABASE_APP_URL", appUrl.toString());
  vi.stubEnv("INNGEST_SIGNING_KEY", signingKey);
  const app = await loadApp();
  handler = serve({ client: app.client.inngest, functions: app.functions.functions });
  await engine.sync();
  const db: PrismaClient = app.dbClient.getDb();
  const deps = {
    send: (event: { name: string; data: Record<string, unknown> }) => app.client.inngest.send(event),
  };
  return {
    app,
    db,
    deps,
    engine,
    /** Engine-side SQL: runs, waiters. */
    ownerUrl: database.ownerUrl,
    close: async () => {
      await engine.stop();
      await appServer.close();
      await globalThis.tenetScheduler?.stop();
      globalThis.tenetScheduler = undefined;
      await db.$disconnect();
      await app.dbClient.poolOf(db).end();
      await database.close();
      vi.unstubAllEnvs();
    },
  };
}

/**
 * Test harness: a database of its own, the engine, and an app serving real SDK functions with
 * `inngest/node` on loopback, pointed at each other over real HTTP.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest, type InngestFunction } from "inngest";
import { serve } from "inngest/node";
import pg from "pg";
import { eventually } from "@/server/testing/eventually";
import { createIsolatedDatabase } from "@/server/testing/fixtures";
import type { RunStatus } from "./api-schema";
import { type Engine, type EngineOptions, startEngine } from "./engine";

const quiet = () => {};
const silent = { info: quiet, warn: quiet, error: quiet, debug: quiet };

function testClient(appId: string, baseUrl: string, signingKey?: string) {
  return new Inngest({
    id: appId,
    // Step errors are expected in these tests; the SDK would print each one.
    logger: silent,
    baseUrl,
    isDev: !signingKey,
    signingKey,
    eventKey: signingKey ? "test-event-key" : undefined,
  });
}
export type TestClient = ReturnType<typeof testClient>;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export type AppServer = { url: string; setHandler: (h: Handler) => void; close: () => Promise<void> };

export async function startAppServer(): Promise<AppServer> {
  let handler: Handler | null = null;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/inngest`,
    setHandler: (h) => {
      handler = h;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

export type RunRow = {
  id: string;
  function_id: string;
  status: RunStatus;
  output: unknown;
  error: { message?: string } | null;
  event: { name: string; data: Record<string, unknown> };
};

export type Harness = {
  client: TestClient;
  /**
   * Serves `functions` from the app and syncs. Define them in a variable first: written inline here, the
   * SDK's types would infer \`any\` for each handler's context.
   */
  serve: (functions: readonly InngestFunction.Any[]) => Promise<void>;
  engine: Engine;
  app: AppServer;
  ownerUrl: string;
  sql: pg.Pool;
  /** Composite function id as the engine knows it. */
  fnId: (id: string) => string;
  runs: (functionId?: string) => Promise<RunRow[]>;
  /** Polls until `predicate` holds for the runs of `functionId` (state, not time; fails after `timeoutMs`). */
  waitForRuns: (
    functionId: string,
    predicate: (runs: RunRow[]) => boolean,
    timeoutMs?: number,
  ) => Promise<RunRow[]>;
  waitForRun: (runId: string, statuses?: RunStatus[], timeoutMs?: number) => Promise<RunRow>;
  /** Open event waiters (waitForEvent, cancelOn) of a run. */
  waiters: (runId: string, kind?: "wait" | "cancel") => Promise<number>;
  waitForWaiter: (runId: string) => Promise<number>;
  /** Polls until some step of the run has `status` (e.g. "sleeping"). */
  waitForStep: (runId: string, status: string) => Promise<void>;
  close: () => Promise<void>;
};

export async function startHarness(options: {
  appId: string;
  signingKey?: string;
  engine?: Partial<EngineOptions>;
}): Promise<Harness> {
  const database = await createIsolatedDatabase();
  const app = await startAppServer();
  const engine = await startEngine({
    databaseUrl: database.ownerUrl,
    port: 0,
    appUrls: [app.url],
    retryBaseMs: 20,
    signingKeys: options.signingKey ? [options.signingKey] : [],
    log: () => {},
    ...options.engine,
  });
  const client = testClient(options.appId, engine.url, options.signingKey);
  const sql = new pg.Pool({ connectionString: database.ownerUrl, max: 2 });
  // Dropping the database at the end ends idle connections from the server side; that is expected.
  sql.on("error", () => {});

  const runs = async (functionId?: string) =>
    (
      await sql.query<RunRow>(
        "SELECT id, function_id, status, output, error, event FROM engine.run WHERE $1::text IS NULL OR function_id = $1 ORDER BY created_at, id",
        [functionId ?? null],
      )
    ).rows;

  const waiters = async (runId: string, kind: "wait" | "cancel" = "wait") =>
    (await sql.query("SELECT 1 FROM engine.waiter WHERE run_id = $1 AND kind = $2", [runId, kind]))
      .rowCount ?? 0;

  const fnId = (id: string) => `${options.appId}-${id}`;
  return {
    client,
    serve: async (functions) => {
      app.setHandler(serve({ client, functions: [...functions] }));
      await engine.sync();
    },
    engine,
    app,
    ownerUrl: database.ownerUrl,
    sql,
    fnId,
    runs,
    waitForRuns: (functionId, predicate, timeoutMs = 20_000) =>
      eventually(() => runs(functionId), predicate, { timeoutMs, what: `runs of ${functionId}` }),
    waitForRun: async (runId, statuses = ["completed", "failed", "cancelled"], timeoutMs = 20_000) =>
      eventually(
        async () =>
          (
            await sql.query<RunRow>(
              "SELECT id, function_id, status, output, error, event FROM engine.run WHERE id = $1",
              [runId],
            )
          ).rows[0],
        (run) => run !== undefined && statuses.includes(run.status),
        { timeoutMs, what: `run ${runId}` },
      ) as Promise<RunRow>,
    waiters,
    waitForWaiter: (runId) =>
      eventually(
        () => waiters(runId, "wait"),
        (n) => n > 0,
        { what: `a waiter of ${runId}` },
      ),
    waitForStep: async (runId, status) => {
      await eventually(
        async () =>
          (await sql.query("SELECT 1 FROM engine.step WHERE run_id = $1 AND status = $2", [runId, status]))
            .rowCount ?? 0,
        (n) => n > 0,
        { what: `a ${status} step of ${runId}` },
      );
    },
    close: async () => {
      await engine.stop();
      await app.close();
      await sql.end();
      await database.close();
    },
  };
}

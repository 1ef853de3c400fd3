/**
 * The Runs API against the real workflow engine (server/engine) and the app's own functions served by
 * the unchanged SDK (`inngest/node`) on loopback, all over real HTTP, on the test database. Covers
 * tenant isolation (a Globex admin gets 404 for Acme's run ids), roles (members other than owners and
 * admins get 403), bad input (400 with field errors), an engine that cannot be reached (503 saying
 * where), and the functions themselves (the test ping, the audit chain check).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "inngest/node";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { z } from "zod";
import { startEngine, type Engine } from "@/server/engine/engine";
import { eventually } from "@/server/testing/eventually";
import {
  callHttp,
  contextFor,
  createTestTenant,
  testDb,
  type HttpResult,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";

// ─── The app under test ──────────────────────────────────────────────────────────────────────────

const SIGNING_KEY = `signkey-test-${randomBytes(32).toString("hex")}`;

/**
 * Configuration is read once, when server/env.js is first imported; the engine's port is known only once
 * it listens. So the app's modules (router, Inngest client, functions) are imported afresh after
 * pointing ENGINE_URL at the engine and the app's database at this test database.
 */
async function loadApp(engineUrl: string) {
  vi.stubEnv("ENGINE_URL", engineUrl);
  vi.stubEnv("DATABASE_APP_URL", inject("appUrl"));
  vi.stubEnv("INNGEST_SIGNING_KEY", SIGNING_KEY);
  vi.resetModules();
  const [root, client, functions, events] = await Promise.all([
    import("@/server/trpc/root"),
    import("@/server/workflows/client"),
    import("@/server/workflows/functions"),
    import("@/server/workflows/events"),
  ]);
  return { router: root.appRouter, inngest: client.inngest, functions: functions.functions, events };
}
type App = Awaited<ReturnType<typeof loadApp>>;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(handler: Handler) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  const close = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };
  return { port: (address satisfies AddressInfo).port, close };
}

let engine: Engine;
let app: App;
let appServer: { port: number; close: () => Promise<void> };
let unreachable: { app: App; url: string };

let acme: TestTenant;
let globex: TestTenant;
let acmeAdmin: TestUser;
let acmeEmployee: TestUser;
let globexAdmin: TestUser;

beforeAll(async () => {
  // An engine that is not there: a port that was free a moment ago.
  const gone = await listen((_req, res) => res.end());
  await gone.close();
  const goneUrl = `http://127.0.0.1:${gone.port}`;
  unreachable = { app: await loadApp(goneUrl), url: goneUrl };

  let handler: Handler = (_req, res) => void res.writeHead(503).end();
  appServer = await listen((req, res) => handler(req, res));
  engine = await startEngine({
    databaseUrl: inject("ownerUrl"),
    host: "127.0.0.1",
    port: 0,
    appUrls: [`http://127.0.0.1:${appServer.port}/api/inngest`],
    signingKeys: [SIGNING_KEY],
    log: () => {},
  });
  app = await loadApp(engine.url);
  handler = serve({ client: app.inngest, functions: app.functions });
  await engine.sync();

  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  acmeAdmin = await acme.add("admin");
  acmeEmployee = await acme.add("employee");
  globexAdmin = await globex.add("admin");
}, 120_000);

afterAll(async () => {
  await engine?.stop();
  await appServer?.close();
  await globalThis.tenetDb?.$disconnect();
  vi.unstubAllEnvs();
});

// ─── Helpers ─────────────────────────────────────────────────────────────────────────────────────

const call = (user: TestUser, tenant: TestTenant, path: string, input: unknown) =>
  callHttp(contextFor(testDb(), user.userId, tenant.slug), path, input, app.router);

const summary = z.object({
  id: z.string(),
  status: z.string(),
  functionId: z.string(),
  tenantId: z.string().nullable(),
});
const detail = summary.extend({
  rerunOf: z.string().nullable(),
  output: z.unknown(),
  event: z.object({ name: z.string(), data: z.record(z.string(), z.unknown()) }),
  steps: z.array(z.object({ name: z.string(), status: z.string(), output: z.unknown() })),
  timeline: z.array(z.object({ kind: z.string() })),
});

function ok<T>(res: HttpResult, schema: z.ZodType<T>): T {
  expect(res.error?.message, "expected success").toBeUndefined();
  expect(res.status).toBe(200);
  return schema.parse(res.data);
}

const runOf = (user: TestUser, tenant: TestTenant, runId: string) =>
  call(user, tenant, "runs.detail", { runId }).then((res) => ok(res, detail));

async function sendPing(message: string): Promise<string> {
  const sent = ok(
    await call(acmeAdmin, acme, "runs.sendTestEvent", { message }),
    z.object({ eventId: z.string().nullable(), runId: z.string() }),
  );
  return sent.runId;
}

const PING_FN = "tenet-workflows-test-ping";

// ─── Tests ───────────────────────────────────────────────────────────────────────────────────────

describe("runs, against the engine", () => {
  it("lists the functions whose runs belong to tenants", async () => {
    const functions = ok(
      await call(acmeAdmin, acme, "runs.functions", undefined),
      z.array(z.object({ id: z.string(), name: z.string() })),
    );
    const ids = functions.map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining([PING_FN, "tenet-audit-verify-chain"]));
    // The nightly fan-out runs for no tenant, so it is no use as a filter here.
    expect(ids).not.toContain("tenet-audit-verify-nightly");
  });

  it("sends a test event and follows its run, step by step, until it completes", async () => {
    const runId = await sendPing("hello from Acme");
    const first = await runOf(acmeAdmin, acme, runId);
    expect(first).toMatchObject({ functionId: PING_FN, tenantId: acme.id });
    expect(first.event).toMatchObject({
      name: "workflows/test.ping",
      data: { tenantId: acme.id, message: "hello from Acme" },
    });

    const done = await eventually(
      () => runOf(acmeAdmin, acme, runId),
      (run) => run.status !== "running",
    );
    expect(done.status).toBe("completed");
    expect(done.output).toMatchObject({ message: "hello from Acme" });
    expect(done.steps.map((s) => [s.name, s.status])).toEqual([
      ["echo", "completed"],
      ["wait", "completed"],
      ["finish", "completed"],
    ]);
    expect(done.timeline.map((t) => t.kind)).toEqual(expect.arrayContaining(["run.completed"]));

    const list = ok(
      await call(acmeAdmin, acme, "runs.list", { function: PING_FN, status: "completed" }),
      z.object({ runs: z.array(summary), nextCursor: z.string().nullable() }),
    );
    expect(list.runs.map((r) => r.id)).toContain(runId);
  });

  it("pages the list with the cursor it returns", async () => {
    await sendPing("one");
    await sendPing("two");
    const page = z.object({ runs: z.array(summary), nextCursor: z.string().nullable() });
    const first = ok(await call(acmeAdmin, acme, "runs.list", { limit: 1 }), page);
    expect(first.runs).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const second = ok(await call(acmeAdmin, acme, "runs.list", { limit: 1, cursor: first.nextCursor }), page);
    expect(second.runs).toHaveLength(1);
    expect(second.runs[0]?.id).not.toBe(first.runs[0]?.id);
  });

  it("shows a tenant only its own runs, and answers a Globex admin NOT_FOUND for Acme's run ids", async () => {
    const runId = await sendPing("Acme only");
    const globexList = ok(
      await call(globexAdmin, globex, "runs.list", {}),
      z.object({ runs: z.array(summary) }),
    );
    expect(globexList.runs.every((r) => r.tenantId === globex.id)).toBe(true);
    expect(globexList.runs.map((r) => r.id)).not.toContain(runId);

    for (const path of ["runs.detail", "runs.cancel", "runs.rerun"]) {
      const res = await call(globexAdmin, globex, path, { runId });
      expect(res.status, path).toBe(404);
      expect(res.error?.message, path).toBe("No run with that id in this tenant");
      expect(JSON.stringify(res), path).not.toContain(acme.id);
    }
    // The victim still has the run, neither cancelled nor rerun.
    const run = await eventually(
      () => runOf(acme.owner, acme, runId),
      (r) => r.status !== "running",
    );
    expect(run.status).toBe("completed");
    const reruns = ok(
      await call(acmeAdmin, acme, "runs.list", { function: PING_FN }),
      z.object({ runs: z.array(detail.pick({ id: true })) }),
    );
    const details = await Promise.all(reruns.runs.map((r) => runOf(acmeAdmin, acme, r.id)));
    expect(details.filter((d) => d.rerunOf === runId)).toEqual([]);
  });

  it("refuses members who are neither owners nor admins, and sends nothing for them", async () => {
    const before = ok(
      await call(acmeAdmin, acme, "runs.list", { function: PING_FN }),
      z.object({ runs: z.array(summary) }),
    );
    const inputs: Record<string, unknown> = {
      "runs.list": {},
      "runs.detail": { runId: "01JF0000000000000000000000" },
      "runs.cancel": { runId: "01JF0000000000000000000000" },
      "runs.rerun": { runId: "01JF0000000000000000000000" },
      "runs.functions": undefined,
      "runs.sendTestEvent": { message: "from an employee" },
    };
    for (const [path, input] of Object.entries(inputs)) {
      const res = await call(acmeEmployee, acme, path, input);
      expect(res.status, path).toBe(403);
      expect(res.error?.message, path).toBe("Your role (employee) cannot do this");
    }
    const after = ok(
      await call(acmeAdmin, acme, "runs.list", { function: PING_FN }),
      z.object({ runs: z.array(summary) }),
    );
    expect(after.runs.map((r) => r.id)).toEqual(before.runs.map((r) => r.id));
  });

  it("cancels a running run once, and records who did", async () => {
    const runId = await sendPing("to be cancelled");
    const cancelled = await call(acmeAdmin, acme, "runs.cancel", { runId });
    expect(ok(cancelled, summary).status).toBe("cancelled");
    expect((await runOf(acmeAdmin, acme, runId)).status).toBe("cancelled");

    const again = await call(acmeAdmin, acme, "runs.cancel", { runId });
    expect(again.status).toBe(409);
    expect(again.error?.message).toMatch(/already ended/);

    const log = ok(
      await call(acmeAdmin, acme, "audit.list", { action: "workflow.run_cancelled" }),
      z.object({ entries: z.array(z.object({ sentence: z.string() })) }),
    );
    expect(log.entries.map((e) => e.sentence)).toContain(
      `acme admin cancelled a run of Test event (run ${runId})`,
    );
  });

  it("reruns a run as a new run of the same function with the same event, and records it", async () => {
    const runId = await sendPing("again, please");
    await eventually(
      () => runOf(acmeAdmin, acme, runId),
      (r) => r.status !== "running",
    );
    const { runId: newRunId } = ok(
      await call(acmeAdmin, acme, "runs.rerun", { runId }),
      z.object({ runId: z.string() }),
    );
    expect(newRunId).not.toBe(runId);
    const rerun = await eventually(
      () => runOf(acmeAdmin, acme, newRunId),
      (r) => r.status !== "running",
    );
    expect(rerun).toMatchObject({
      status: "completed",
      rerunOf: runId,
      functionId: PING_FN,
      tenantId: acme.id,
    });
    expect(rerun.output).toMatchObject({ message: "again, please" });

    const log = ok(
      await call(acmeAdmin, acme, "audit.list", { action: "workflow.run_rerun" }),
      z.object({ entries: z.array(z.object({ sentence: z.string() })) }),
    );
    expect(log.entries.map((e) => e.sentence)).toContain(
      `acme admin reran Test event (run ${runId}) as run ${newRunId}`,
    );
  });

  it("verifies a tenant's audit chain in a run of its own and records the outcome in its log", async () => {
    await app.inngest.send(app.events.auditChainVerifyRequested.create({ tenantId: acme.id }));
    const page = z.object({ runs: z.array(summary) });
    const listed = await eventually(
      async () =>
        ok(await call(acmeAdmin, acme, "runs.list", { function: "tenet-audit-verify-chain" }), page).runs,
      (runs) => runs.some((r) => r.status !== "running"),
    );
    const run = await runOf(acmeAdmin, acme, listed[0]?.id ?? "");
    expect(run.status).toBe("completed");
    expect(run.output).toMatchObject({ ok: true });
    expect(run.steps.map((s) => s.name)).toEqual(["verify-chain", "record-outcome"]);

    const log = ok(
      await call(acmeAdmin, acme, "audit.list", { action: "audit.chain_verified" }),
      z.object({ entries: z.array(z.object({ sentence: z.string(), outcome: z.string() })) }),
    );
    expect(log.entries[0]?.outcome).toBe("succeeded");
    expect(log.entries[0]?.sentence).toMatch(
      /^Workflow Nightly audit check verified the audit chain: \d+ entries intact$/,
    );
    // Globex sees neither the run nor the entry.
    const globexRuns = ok(
      await call(globexAdmin, globex, "runs.list", { function: "tenet-audit-verify-chain" }),
      page,
    );
    expect(globexRuns.runs).toEqual([]);
  });

  it("answers bad input with the field at fault, before asking the engine", async () => {
    const cases: [string, unknown, string][] = [
      ["runs.list", { status: "paused" }, "status"],
      ["runs.list", { from: new Date("2026-02-01"), to: new Date("2026-01-01") }, "to"],
      ["runs.detail", { runId: "../../functions" }, "runId"],
      ["runs.sendTestEvent", { message: "x".repeat(201) }, "message"],
    ];
    for (const [path, input, field] of cases) {
      const res = await call(acmeAdmin, acme, path, input);
      expect(res.status, path).toBe(400);
      expect(res.error?.data.fieldErrors?.[field]?.length, path).toBeGreaterThan(0);
    }
  });
});

describe("runs, without an engine", () => {
  it("says that the engine cannot be reached, and where it was looked for", async () => {
    const res = await callHttp(
      contextFor(testDb(), acmeAdmin.userId, acme.slug),
      "runs.list",
      {},
      unreachable.app.router,
    );
    expect(res.status).toBe(503);
    expect(res.error?.message).toBe(`The workflow engine is not reachable at ${unreachable.url}`);

    const sent = await callHttp(
      contextFor(testDb(), acmeAdmin.userId, acme.slug),
      "runs.sendTestEvent",
      { message: "into the void" },
      unreachable.app.router,
    );
    expect(sent.status).toBe(503);
    expect(sent.error?.message).toBe(`The workflow engine is not reachable at ${unreachable.url}`);
  });
});

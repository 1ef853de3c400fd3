/**
 * Several engine processes on one database: each job is claimed by one of them, so every step runs
 * exactly once and a run never has two calls in flight that could both run the same step.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { serve } from "inngest/node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Engine, startEngine } from "./engine";
import { type Harness, startHarness } from "./testing";

const executions = new Map<string, number>();
const workers = new Set<string>();
const inFlightByRun = new Map<string, number>();
let overlapping = 0;

let h: Harness;
let second: Engine;
beforeAll(async () => {
  h = await startHarness({ appId: "multi", engine: { concurrency: 4 } });
  second = await startEngine({
    databaseUrl: h.ownerUrl,
    port: 0,
    concurrency: 4,
    retryBaseMs: 20,
    log: () => {},
  });
  const work = h.client.createFunction(
    { id: "work", triggers: [{ event: "multi/go" }] },
    async ({ step, runId }) => {
      const once = (id: string) =>
        step.run(id, async () => {
          executions.set(`${runId}:${id}`, (executions.get(`${runId}:${id}`) ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, 2));
          return id;
        });
      await once("first");
      const [a, b] = await Promise.all([once("left"), once("right")]);
      return `${await once("last")}:${a}${b}`;
    },
  );
  const handler = serve({ client: h.client, functions: [work] });
  // Observes each call: which engine process made it, and whether another call of the run was in flight.
  h.app.setHandler((req: IncomingMessage, res: ServerResponse) => {
    const worker = req.headers["x-tenet-engine-worker"];
    const runId = req.headers["x-run-id"];
    const stepId = new URL(req.url ?? "/", "http://app").searchParams.get("stepId");
    if (typeof worker === "string") workers.add(worker);
    const discovery = typeof runId === "string" && stepId === "step";
    if (discovery) {
      if ((inFlightByRun.get(runId) ?? 0) > 0) overlapping++;
      inFlightByRun.set(runId, (inFlightByRun.get(runId) ?? 0) + 1);
      res.on("finish", () => inFlightByRun.set(runId, (inFlightByRun.get(runId) ?? 1) - 1));
    }
    handler(req, res);
  });
  await h.engine.sync();
});
afterAll(async () => {
  await second?.stop();
  await h?.close();
});

it("shares the work between engines and runs every step once", async () => {
  await h.client.send(Array.from({ length: 40 }, (_, i) => ({ name: "multi/go", data: { i } })));
  const runs = await h.waitForRuns(
    h.fnId("work"),
    (r) => r.length === 40 && r.every((x) => x.status !== "running"),
    60_000,
  );
  expect(runs.every((r) => r.status === "completed" && r.output === "last:leftright")).toBe(true);
  expect(executions.size).toBe(40 * 4);
  expect([...executions.values()].every((n) => n === 1)).toBe(true);
  expect(workers.size).toBe(2);
  expect(overlapping).toBe(0);
});

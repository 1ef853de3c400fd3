/**
 * Conformance: real SDK functions (inngest 4.x, served by `inngest/node`) driven by the engine over real
 * HTTP, one behaviour per test. Counters live in the app's closures, so "ran once" is observed where the
 * code runs, not inferred from the engine's own records.
 */
import { InngestTestEngine } from "@inngest/test";
import { type FailureEventArgs, NonRetriableError, RetryAfterError, referenceFunction } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./testing";

const executions = new Map<string, number>();
const count = (key: string) => executions.set(key, (executions.get(key) ?? 0) + 1).get(key) ?? 0;
const ran = (key: string) => executions.get(key) ?? 0;

const failures: { functionId: string; message: string; original: unknown }[] = [];
let inFlight = new Map<string, number>();
const maxInFlight = new Map<string, number>();
const started: string[] = [];
let releaseBlocker: () => void = () => {};
const blocker = () =>
  new Promise<void>((resolve) => {
    releaseBlocker = resolve;
  });
let blocked: Promise<void> = Promise.resolve();
let releaseSlowStep: () => void = () => {};
const slowStep = new Promise<void>((resolve) => {
  releaseSlowStep = resolve;
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ appId: "conf" });
  const client = h.client;
  const functions = [
    client.createFunction(
      { id: "parallel", triggers: [{ event: "conf/parallel" }] },
      async ({ step, runId }) => {
        const [a, b, c] = await Promise.all(
          ["a", "b", "c"].map((id) => step.run(id, () => (count(`${runId}:${id}`), id.toUpperCase()))),
        );
        const joined = await step.run("join", () => (count(`${runId}:join`), `${a}${b}${c}`));
        return joined;
      },
    ),
    client.createFunction({ id: "sleeper", triggers: [{ event: "conf/sleep" }] }, async ({ step }) => {
      await step.sleep("nap", "1s");
      await step.sleepUntil("until", new Date(Date.now() + 500));
      return "rested";
    }),
    client.createFunction({ id: "waiter", triggers: [{ event: "conf/wait" }] }, async ({ event, step }) => {
      const approval = await step.waitForEvent("approval", {
        event: "conf/approved",
        timeout: String(event.data.timeout ?? "30s"),
        match: "data.requestId",
      });
      return approval === null ? { timedOut: true } : { approvedBy: String(approval.data.by) };
    }),
    client.createFunction({ id: "child", triggers: [{ event: "conf/child" }] }, async ({ event, step }) => {
      if (event.data.fail) throw new NonRetriableError("child refuses");
      return step.run("double", () => Number(event.data.n) * 2);
    }),
    client.createFunction({ id: "parent", triggers: [{ event: "conf/parent" }] }, async ({ event, step }) => {
      try {
        const doubled = await step.invoke("call-child", {
          function: referenceFunction({ appId: "conf", functionId: "child" }),
          data: { n: Number(event.data.n), fail: Boolean(event.data.fail) },
        });
        return { doubled };
      } catch (error) {
        return { childFailed: error instanceof Error ? error.message : String(error) };
      }
    }),
    client.createFunction(
      { id: "flaky", retries: 3, triggers: [{ event: "conf/flaky" }] },
      async ({ step, runId }) => {
        return step.run("sometimes", () => {
          if (count(`${runId}:flaky`) < 3) throw new Error("not yet");
          return "finally";
        });
      },
    ),
    client.createFunction(
      {
        id: "doomed",
        retries: 1,
        triggers: [{ event: "conf/doomed" }],
        onFailure: ({ error, event }: FailureEventArgs) => {
          failures.push({
            functionId: "doomed",
            message: error.message,
            original: event.data.event.data as unknown,
          });
        },
      },
      ({ event, runId }) => {
        count(`${runId}:doomed`);
        if (event.data.nonRetriable) throw new NonRetriableError("no point retrying");
        throw new Error("always broken");
      },
    ),
    client.createFunction(
      { id: "patient", triggers: [{ event: "conf/retry-after" }] },
      async ({ step, runId }) => {
        return step.run("rate-limited", () => {
          if (count(`${runId}:patient`) === 1) throw new RetryAfterError("slow down", "1s");
          return "served";
        });
      },
    ),
    client.createFunction(
      {
        id: "cancellable",
        cancelOn: [{ event: "conf/cancel", match: "data.orderId" }],
        triggers: [{ event: "conf/order" }],
      },
      async ({ step }) => {
        await step.sleep("long", "10m");
        return "never";
      },
    ),
    client.createFunction(
      {
        id: "one-at-a-time",
        concurrency: { limit: 1, key: "event.data.tenantId" },
        triggers: [{ event: "conf/limited" }],
      },
      async ({ event, step }) => {
        const tenant = String(event.data.tenantId);
        await step.run("work", async () => {
          inFlight.set(tenant, (inFlight.get(tenant) ?? 0) + 1);
          maxInFlight.set(tenant, Math.max(maxInFlight.get(tenant) ?? 0, inFlight.get(tenant) ?? 0));
          await new Promise((resolve) => setTimeout(resolve, 50));
          inFlight.set(tenant, (inFlight.get(tenant) ?? 1) - 1);
        });
      },
    ),
    client.createFunction(
      {
        id: "prioritised",
        concurrency: 1,
        priority: { run: "event.data.priority" },
        triggers: [{ event: "conf/prio" }],
      },
      async ({ event, step }) => {
        await step.run("start", async () => {
          started.push(String(event.data.label));
          if (event.data.label === "blocker") await blocked;
        });
      },
    ),
    client.createFunction(
      { id: "once-per-user", idempotency: "event.data.userId", triggers: [{ event: "conf/signup" }] },
      ({ event }) => String(event.data.userId),
    ),
    client.createFunction({ id: "fan-out", triggers: [{ event: "conf/fan-out" }] }, async ({ step }) => {
      await step.sendEvent("notify", [
        { name: "conf/fanned", data: { n: 1 } },
        { name: "conf/fanned", data: { n: 2 } },
      ]);
    }),
    client.createFunction(
      { id: "fanned", triggers: [{ event: "conf/fanned", if: "event.data.n > 1" }] },
      ({ event }) => Number(event.data.n),
    ),
    client.createFunction(
      { id: "nightly", triggers: [{ cron: "TZ=Europe/Paris 0 3 * * *" }] },
      ({ event }) => event.name,
    ),
    client.createFunction(
      { id: "racer", triggers: [{ event: "conf/race" }] },
      async ({ step, group, runId }) => {
        const winner = await group.parallel(async () =>
          Promise.race([
            step.run("fast", () => "fast"),
            step.run("slow", async () => {
              await slowStep;
              count(`${runId}:slow`);
              return "slow";
            }),
          ]),
        );
        return winner;
      },
    ),
  ];
  await h.serve(functions);
});
afterAll(() => h?.close());

describe("steps", () => {
  it("runs parallel steps once each, then fans in", async () => {
    await h.client.send({ name: "conf/parallel", data: {} });
    const [run] = await h.waitForRuns(h.fnId("parallel"), (r) => r[0]?.status === "completed");
    expect(run?.output).toBe("ABC");
    for (const id of ["a", "b", "c", "join"]) expect(ran(`${run?.id}:${id}`)).toBe(1);
  });

  it("agrees with @inngest/test on the same function", async () => {
    const engine = await startHarness({ appId: "pure" });
    try {
      const fn = engine.client.createFunction(
        { id: "pure", triggers: [{ event: "conf/pure" }] },
        async ({ event, step }) => {
          const a = await step.run("a", () => Number(event.data.x) + 1);
          const [b, c] = await Promise.all([step.run("b", () => a * 2), step.run("c", () => a * 3)]);
          return { a, b, c };
        },
      );
      const expected = await new InngestTestEngine({
        function: fn,
        events: [{ name: "conf/pure", data: { x: 4 } }],
      }).execute();
      await engine.serve([fn]);
      await engine.client.send({ name: "conf/pure", data: { x: 4 } });
      const [run] = await engine.waitForRuns(engine.fnId("pure"), (r) => r[0]?.status === "completed");
      expect(expected.result).toEqual({ a: 5, b: 10, c: 15 });
      expect(run?.output).toEqual(expected.result);
    } finally {
      await engine.close();
    }
  });

  it("sleeps for a duration and until a time", async () => {
    await h.client.send({ name: "conf/sleep", data: {} });
    const [run] = await h.waitForRuns(h.fnId("sleeper"), (r) => r[0]?.status === "completed");
    expect(run?.output).toBe("rested");
  });

  it("settles a group.parallel race with the step that finished first", async () => {
    await h.client.send({ name: "conf/race", data: {} });
    const [started] = await h.waitForRuns(h.fnId("racer"), (r) => r.length === 1);
    await h.waitForStep(started?.id ?? "", "completed");
    // The SDK reports the unfinished step again when discovery resumes the race, so the run goes on once
    // that step is done too (README: Workflows); the winner is still the first to finish.
    releaseSlowStep();
    const [run] = await h.waitForRuns(h.fnId("racer"), (r) => r[0]?.status === "completed");
    expect(run?.output).toBe("fast");
    expect(ran(`${run?.id}:slow`)).toBe(1);
  });

  it("sends events from a step, which start runs whose trigger expression matches", async () => {
    await h.client.send({ name: "conf/fan-out", data: {} });
    const runs = await h.waitForRuns(h.fnId("fanned"), (r) => r.length === 1 && r[0]?.status === "completed");
    expect(runs[0]?.output).toBe(2);
  });
});

describe("waitForEvent", () => {
  it("resumes on the matching event, not on another", async () => {
    await h.client.send({ name: "conf/wait", data: { requestId: "r-1" } });
    const [run] = await h.waitForRuns(h.fnId("waiter"), (r) => r.length === 1);
    await h.waitForWaiter(run?.id ?? "");
    await h.client.send({ name: "conf/approved", data: { requestId: "r-other", by: "mallory" } });
    // Events are matched while the send is accepted, so the run is still waiting now.
    expect((await h.runs(h.fnId("waiter")))[0]?.status).toBe("running");
    expect(await h.waiters(run?.id ?? "")).toBe(1);
    await h.client.send({ name: "conf/approved", data: { requestId: "r-1", by: "ada" } });
    const done = await h.waitForRun(run?.id ?? "");
    expect(done.output).toEqual({ approvedBy: "ada" });
  });

  it("gives null when the wait times out", async () => {
    const { ids } = await h.client.send({ name: "conf/wait", data: { requestId: "r-2", timeout: "1s" } });
    expect(ids).toHaveLength(1);
    const runs = await h.waitForRuns(h.fnId("waiter"), (r) =>
      r.some((x) => x.event.data.requestId === "r-2" && x.status === "completed"),
    );
    expect(runs.find((x) => x.event.data.requestId === "r-2")?.output).toEqual({ timedOut: true });
  });
});

describe("invoke", () => {
  it("returns the child's result to the parent", async () => {
    await h.client.send({ name: "conf/parent", data: { n: 21 } });
    const [run] = await h.waitForRuns(h.fnId("parent"), (r) => r[0]?.status === "completed");
    expect(run?.output).toEqual({ doubled: 42 });
  });

  it("throws the child's error in the parent", async () => {
    await h.client.send({ name: "conf/parent", data: { n: 1, fail: true } });
    const runs = await h.waitForRuns(
      h.fnId("parent"),
      (r) => r.length === 2 && r.every((x) => x.status === "completed"),
    );
    expect(runs[1]?.output).toEqual({ childFailed: expect.stringContaining("child refuses") as unknown });
  });
});

describe("errors and retries", () => {
  it("retries a failing step until it succeeds", async () => {
    await h.client.send({ name: "conf/flaky", data: {} });
    const [run] = await h.waitForRuns(h.fnId("flaky"), (r) => r[0]?.status === "completed");
    expect(run?.output).toBe("finally");
    expect(ran(`${run?.id}:flaky`)).toBe(3);
    const steps = await h.sql.query<{ attempts: number; status: string }>(
      "SELECT attempts, status FROM engine.step WHERE run_id = $1",
      [run?.id],
    );
    expect(steps.rows).toEqual([{ attempts: 3, status: "completed" }]);
  });

  it("honours RetryAfterError's delay", async () => {
    await h.client.send({ name: "conf/retry-after", data: {} });
    const [run] = await h.waitForRuns(h.fnId("patient"), (r) => r[0]?.status === "completed");
    const errored = await h.sql.query<{ started_at: Date; data: { retryAt: string } }>(
      "SELECT started_at, data FROM engine.history WHERE run_id = $1 AND kind = 'step.errored'",
      [run?.id],
    );
    expect(errored.rows).toHaveLength(1);
    const row = errored.rows[0];
    expect(
      new Date(row?.data.retryAt ?? 0).getTime() - (row?.started_at.getTime() ?? 0),
    ).toBeGreaterThanOrEqual(900);
  });

  it("fails after the function's retries and runs onFailure with the error", async () => {
    await h.client.send({ name: "conf/doomed", data: { order: 7 } });
    const [run] = await h.waitForRuns(h.fnId("doomed"), (r) => r[0]?.status === "failed");
    expect(ran(`${run?.id}:doomed`)).toBe(2);
    expect(run?.error?.message).toBe("always broken");
    await h.waitForRuns(h.fnId("doomed-failure"), (r) => r.length === 1 && r[0]?.status === "completed");
    expect(failures).toContainEqual({
      functionId: "doomed",
      message: "always broken",
      original: { order: 7 },
    });
  });

  it("does not retry a NonRetriableError", async () => {
    await h.client.send({ name: "conf/doomed", data: { nonRetriable: true } });
    const runs = await h.waitForRuns(h.fnId("doomed"), (r) => r.length === 2 && r[1]?.status === "failed");
    expect(ran(`${runs[1]?.id}:doomed`)).toBe(1);
  });
});

describe("cancellation", () => {
  it("cancels a run when its cancelOn event matches", async () => {
    await h.client.send({ name: "conf/order", data: { orderId: "o-1" } });
    await h.client.send({ name: "conf/order", data: { orderId: "o-2" } });
    const runs = await h.waitForRuns(h.fnId("cancellable"), (r) => r.length === 2);
    for (const run of runs) await h.waitForStep(run.id, "sleeping");
    await h.client.send({ name: "conf/cancel", data: { orderId: "o-1" } });
    const after = await h.runs(h.fnId("cancellable"));
    expect(after.map((r) => [r.event.data.orderId, r.status])).toEqual([
      ["o-1", "cancelled"],
      ["o-2", "running"],
    ]);
    const cancelled = await fetch(`${h.engine.url}/tenet/v1/runs/${runs[1]?.id}/cancel`, { method: "POST" });
    expect(cancelled.status).toBe(200);
    expect((await h.waitForRun(runs[1]?.id ?? "")).status).toBe("cancelled");
    const again = await fetch(`${h.engine.url}/tenet/v1/runs/${runs[1]?.id}/cancel`, { method: "POST" });
    expect(again.status).toBe(409);
  });
});

describe("flow control", () => {
  it("limits concurrency per key, so one tenant cannot crowd out another", async () => {
    inFlight = new Map();
    await h.client.send([
      ...Array.from({ length: 4 }, () => ({ name: "conf/limited", data: { tenantId: "acme" } })),
      ...Array.from({ length: 2 }, () => ({ name: "conf/limited", data: { tenantId: "globex" } })),
    ]);
    await h.waitForRuns(
      h.fnId("one-at-a-time"),
      (r) => r.length === 6 && r.every((x) => x.status === "completed"),
    );
    expect(maxInFlight.get("acme")).toBe(1);
    expect(maxInFlight.get("globex")).toBe(1);
  });

  it("starts higher-priority runs first", async () => {
    blocked = blocker();
    await h.client.send({ name: "conf/prio", data: { label: "blocker", priority: 0 } });
    await h.waitForRuns(h.fnId("prioritised"), () => started.includes("blocker"));
    await h.client.send({ name: "conf/prio", data: { label: "low", priority: 0 } });
    await h.client.send({ name: "conf/prio", data: { label: "high", priority: 300 } });
    releaseBlocker();
    await h.waitForRuns(
      h.fnId("prioritised"),
      (r) => r.length === 3 && r.every((x) => x.status === "completed"),
    );
    expect(started).toEqual(["blocker", "high", "low"]);
  });

  it("starts one run per idempotency key", async () => {
    await h.client.send([
      { name: "conf/signup", data: { userId: "u-1" } },
      { name: "conf/signup", data: { userId: "u-1" } },
      { name: "conf/signup", data: { userId: "u-2" } },
    ]);
    const runs = await h.waitForRuns(
      h.fnId("once-per-user"),
      (r) => r.length === 2 && r.every((x) => x.status === "completed"),
    );
    expect(runs.map((r) => r.output).sort()).toEqual(["u-1", "u-2"]);
  });
});

describe("events", () => {
  it("starts one run for an event sent three times with one id", async () => {
    for (let i = 0; i < 3; i++)
      await h.client.send({ name: "conf/signup", id: "signup-u-3", data: { userId: "u-3" } });
    await h.waitForRuns(h.fnId("once-per-user"), (r) => r.length === 3);
    const events = await h.sql.query("SELECT 1 FROM engine.event WHERE payload->>'id' = 'signup-u-3'");
    expect(events.rowCount).toBe(1);
  });

  it("fires cron functions with their time zone", async () => {
    const cron = await h.sql.query<{ next_at: Date }>(
      "SELECT next_at FROM engine.cron WHERE function_id = $1",
      [h.fnId("nightly")],
    );
    const next = cron.rows[0]?.next_at ?? new Date(0);
    const paris = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Paris",
      hour: "2-digit",
      minute: "2-digit",
    }).format(next);
    expect(paris).toBe("03:00");
    await h.sql.query("UPDATE engine.cron SET next_at = now() WHERE function_id = $1", [h.fnId("nightly")]);
    const [run] = await h.waitForRuns(h.fnId("nightly"), (r) => r[0]?.status === "completed");
    expect(run?.output).toBe("inngest/scheduled.timer");
    const moved = await h.sql.query<{ next_at: Date }>(
      "SELECT next_at FROM engine.cron WHERE function_id = $1",
      [h.fnId("nightly")],
    );
    expect(moved.rows[0]?.next_at.getTime()).toBeGreaterThan(Date.now());
  });
});

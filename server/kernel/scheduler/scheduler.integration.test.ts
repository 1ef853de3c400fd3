/**
 * The scheduler on a real database, with several "processes" (each a Scheduler with its own
 * connection pool and liveness lock, as two app processes would have).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { poolOf } from "@/server/db/client";
import { eventually } from "@/server/testing/eventually";
import { createTestTenant, testDb, unique, withOwner, type TestTenant } from "@/server/testing/fixtures";
import { connectorPoolDefaults, ensurePool, type PoolDefinition } from "./pools";
import { Scheduler, SyscallCancelled, type Attempt } from "./scheduler";
import { poolSql } from "./store";

let tenant: TestTenant;
let other: TestTenant;
const schedulers: Scheduler[] = [];
const pools: pg.Pool[] = [];

/** A separate "app process": its own connections and liveness lock. */
function process(): Scheduler {
  const pool = new pg.Pool({ connectionString: inject("appUrl"), max: 4 });
  pools.push(pool);
  const scheduler = new Scheduler({ pool, tickMs: 200 });
  schedulers.push(scheduler);
  return scheduler;
}

async function newPool(overrides: Partial<PoolDefinition> = {}): Promise<string> {
  const id = `connector:${unique("test")}`;
  await ensurePool(poolSql(poolOf(testDb())), { ...connectorPoolDefaults("x"), id, ...overrides });
  return id;
}

/** A gate a test opens when it wants the work inside a slot to finish. */
function gate() {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Waits until exactly `n` of the pool's syscalls are in `state`. */
async function syscallsIn(poolId: string, state: string, n: number) {
  await eventually(
    () =>
      withOwner(async (c) => {
        const { rows } = await c.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM kernel.syscall WHERE pool_id = $1 AND state = $2",
          [poolId, state],
        );
        return rows[0]?.n ?? 0;
      }),
    (count) => count === n,
    { what: `${n} ${state} syscalls in ${poolId}` },
  );
}

const done = <T>(value: T): Attempt<T> => ({ kind: "done", value });

beforeAll(async () => {
  tenant = await createTestTenant(testDb(), "sched");
  other = await createTestTenant(testDb(), "sched-other");
});

afterAll(async () => {
  for (const s of schedulers) await s.stop();
  for (const p of pools) await p.end();
});

describe("Scheduler", () => {
  it("two dispatching processes never dispatch a syscall twice nor exceed the pool's concurrency", async () => {
    const poolId = await newPool({ concurrency: 3, policy: "fifo" });
    const [a, b] = [process(), process()];
    const executions = new Map<string, number>();
    let inFlight = 0;
    let maxInFlight = 0;
    const jobs = Array.from({ length: 120 }, (_, i) => {
      const scheduler = i % 2 === 0 ? a : b;
      const key = `job-${i}`;
      return scheduler.run(
        { poolId, tenantId: tenant.id, agentKey: `agent-${i % 7}`, label: "test" },
        async () => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          executions.set(key, (executions.get(key) ?? 0) + 1);
          await new Promise((resolve) => setImmediate(resolve));
          inFlight -= 1;
          return done(key);
        },
      );
    });
    const results = await Promise.all(jobs);
    expect(results.map((r) => r.value)).toEqual(jobs.map((_, i) => `job-${i}`));
    expect([...executions.values()].every((n) => n === 1)).toBe(true);
    expect(executions.size).toBe(120);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    // Each slot is given back by the next round of the process that held it.
    await syscallsIn(poolId, "done", 120);
  });

  it("dispatches in the pool's policy order: priority, across processes", async () => {
    const poolId = await newPool({ concurrency: 1, policy: "priority", agingPerSecond: 0 });
    const [a, b] = [process(), process()];
    const hold = gate();
    const order: string[] = [];
    const blocker = a.run({ poolId, tenantId: tenant.id, agentKey: "x", label: "blocker" }, async () => {
      await hold.opened;
      return done("blocker");
    });
    await syscallsIn(poolId, "running", 1);
    const waiting = [3, 9, 1, 7, 5].map((priority, i) =>
      (i % 2 ? a : b).run(
        { poolId, tenantId: tenant.id, agentKey: `p${priority}`, label: "t", priority },
        () => {
          order.push(`p${priority}`);
          return Promise.resolve(done(priority));
        },
      ),
    );
    await syscallsIn(poolId, "queued", 5);
    hold.open();
    await Promise.all([blocker, ...waiting]);
    expect(order).toEqual(["p9", "p7", "p5", "p3", "p1"]);
  });

  it("a provider's 429 never reaches the caller: the pool backs off, retries and counts it", async () => {
    const poolId = await newPool({ concurrency: 2 });
    const s = process();
    let calls = 0;
    const result = await s.run({ poolId, tenantId: tenant.id, agentKey: "a", label: "t" }, () => {
      calls += 1;
      return Promise.resolve(calls < 3 ? { kind: "rate_limited", retryAfterMs: 20 } : done("ok"));
    });
    expect(result.value).toBe("ok");
    expect(result.timings).toMatchObject({ attempts: 3, rateLimited: 2 });
    // The success, written by the next round, ends the backoff.
    const pool = await eventually(
      () =>
        withOwner(async (c) => {
          const { rows } = await c.query<{ rate_limited_total: string; backoff_ms: number }>(
            "SELECT rate_limited_total, backoff_ms FROM kernel.pool WHERE id = $1",
            [poolId],
          );
          return rows[0];
        }),
      (row) => row?.backoff_ms === 0,
      { what: "the pool's backoff to end" },
    );
    expect(pool).toEqual({ rate_limited_total: "2", backoff_ms: 0 });
  });

  it("cancelling a run removes its queued syscalls; running ones finish", async () => {
    const poolId = await newPool({ concurrency: 1 });
    const [a, b] = [process(), process()];
    const hold = gate();
    const runId = unique("run");
    const running = a.run({ poolId, tenantId: tenant.id, agentKey: "a", label: "t", runId }, async () => {
      await hold.opened;
      return done("finished");
    });
    await syscallsIn(poolId, "running", 1);
    let reached = 0;
    const queued = [a, b, b].map((s) =>
      s
        .run({ poolId, tenantId: tenant.id, agentKey: "a", label: "t", runId }, () => {
          reached += 1;
          return Promise.resolve(done("should not run"));
        })
        .then(
          () => "ran",
          (error: unknown) => (error instanceof SyscallCancelled ? "cancelled" : String(error)),
        ),
    );
    const unrelated = b.run({ poolId, tenantId: other.id, agentKey: "z", label: "t", runId }, () =>
      Promise.resolve(done("other tenant's run of the same id")),
    );
    await syscallsIn(poolId, "queued", 4);
    expect(await b.cancelRun(tenant.id, runId)).toBe(3);
    expect(await Promise.all(queued)).toEqual(["cancelled", "cancelled", "cancelled"]);
    hold.open();
    expect((await running).value).toBe("finished");
    expect((await unrelated).value).toBe("other tenant's run of the same id");
    expect(reached).toBe(0);
  });

  it("an aborted caller's queued syscall leaves the queue", async () => {
    const poolId = await newPool({ concurrency: 1 });
    const s = process();
    const hold = gate();
    const first = s.run({ poolId, tenantId: tenant.id, agentKey: "a", label: "t" }, async () => {
      await hold.opened;
      return done(1);
    });
    await syscallsIn(poolId, "running", 1);
    const controller = new AbortController();
    const second = s.run(
      { poolId, tenantId: tenant.id, agentKey: "a", label: "t" },
      () => Promise.resolve(done(2)),
      { signal: controller.signal },
    );
    await syscallsIn(poolId, "queued", 1);
    controller.abort();
    await expect(second).rejects.toBeInstanceOf(SyscallCancelled);
    hold.open();
    await first;
  });

  it("when a process dies, its syscalls are failed and the slot it held goes to another process", async () => {
    const poolId = await newPool({ concurrency: 1 });
    const [doomed, survivor] = [process(), process()];
    const never = gate();
    const held = doomed
      .run({ poolId, tenantId: tenant.id, agentKey: "a", label: "t" }, async () => {
        await never.opened;
        return done("never");
      })
      .catch(() => "lost");
    await syscallsIn(poolId, "running", 1);
    const waiting = survivor.run({ poolId, tenantId: tenant.id, agentKey: "b", label: "t" }, () =>
      Promise.resolve(done("got the slot")),
    );
    // The doomed process's listening connection (which holds its liveness lock) goes away.
    await withOwner((c) =>
      c.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = 7358 AND objid = $1::bigint::oid`,
        [doomed.holder],
      ),
    );
    expect((await waiting).value).toBe("got the slot");
    const { rows } = await withOwner((c) =>
      c.query<{ state: string; error: string | null }>(
        "SELECT state, error FROM kernel.syscall WHERE pool_id = $1 AND agent_key = 'a'",
        [poolId],
      ),
    );
    expect(rows).toEqual([{ state: "failed", error: "The app process that sent it stopped" }]);
    never.open();
    await held;
  });

  it("a syscall asking for more tokens than the pool allows per minute is refused, not left waiting", async () => {
    const poolId = await newPool({ tokensPerMinute: 1000 });
    const s = process();
    await expect(
      s.run({ poolId, tenantId: tenant.id, agentKey: "a", label: "t", tokens: 4000 }, () =>
        Promise.resolve(done(0)),
      ),
    ).rejects.toThrow("It needs 4000 tokens, more than the pool allows in a minute (1000)");
  });

  it("refuses a bad priority and an unknown pool with clear errors, writing nothing", async () => {
    const s = process();
    const poolId = await newPool();
    await expect(
      s.run({ poolId, tenantId: tenant.id, agentKey: "a", label: "t", priority: 12 }, () =>
        Promise.resolve(done(0)),
      ),
    ).rejects.toThrow("Priority must be a whole number from 0 to 9");
    await expect(
      s.run({ poolId: "Not A Pool", tenantId: tenant.id, agentKey: "a", label: "t" }, () =>
        Promise.resolve(done(0)),
      ),
    ).rejects.toThrow("Not a pool id");
    await expect(
      s.run({ poolId: "model:missing", tenantId: tenant.id, agentKey: "a", label: "t" }, () =>
        Promise.resolve(done(0)),
      ),
    ).rejects.toThrow("There is no resource pool model:missing");
    const { rows } = await withOwner((c) =>
      c.query("SELECT 1 FROM kernel.syscall WHERE pool_id = $1", [poolId]),
    );
    expect(rows).toHaveLength(0);
  });
});

/**
 * The Kernel page's API over HTTP (tRPC's fetch adapter and the real router), on a database of its own:
 * the operator tenant is one setting for the whole deployment, so tests that change it or the pools
 * must not share them with other test files. Covers roles (employees 403), operators against every
 * other tenant's admins (read-only, their own tenant's numbers only), optimistic versions, bad input,
 * unknown pools and tenants, and the audit entries with their sentences.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import type { PrismaClient } from "@/server/db/client";
import { connectorPoolDefaults, ensurePool, type PoolSettings } from "@/server/kernel/scheduler/pools";
import { Scheduler } from "@/server/kernel/scheduler/scheduler";
import { poolSql } from "@/server/kernel/scheduler/store";
import { eventually } from "@/server/testing/eventually";
import {
  callHttp,
  contextFor,
  createIsolatedDatabase,
  createTestTenant,
  unique,
  withOwner,
  type HttpResult,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { poolView } from "./pool.types";
import { poolsOutput } from "./pools.types";
import { statsOutput } from "./stats.types";

let db: PrismaClient;
let ownerUrl: string;
let close = () => Promise.resolve();
let appPool: pg.Pool;
let scheduler: Scheduler;

let ops: TestTenant;
let acme: TestTenant;
let opsAdmin: TestUser;
let opsEmployee: TestUser;
let acmeAdmin: TestUser;
let acmeEmployee: TestUser;

const MODEL = "model:default";
/** The Language model pool as migration …_kernel_scheduler creates it. */
const MODEL_SETTINGS: PoolSettings = {
  policy: "fair_share",
  concurrency: 16,
  requestsPerMinute: 3000,
  tokensPerMinute: 1_000_000,
  tenantConcurrency: null,
  tenantRequestsPerMinute: null,
  tenantTokensPerMinute: null,
  agingPerSecond: 0.5,
  defaultDeadlineMs: 60_000,
};
const NOT_OPERATOR = "Resource pools are shared by every tenant: only the platform's operators change them";
const CONFLICT = "Someone changed this pool since you opened it; reload to see their change";

beforeAll(async () => {
  ({ db, ownerUrl, close } = await createIsolatedDatabase());
  const appUrl = new URL(inject("appUrl"));
  appUrl.pathname = new URL(ownerUrl).pathname;
  appPool = new pg.Pool({ connectionString: appUrl.toString(), max: 4 });
  scheduler = new Scheduler({ pool: appPool, tickMs: 200 });

  ops = await createTestTenant(db, "ops");
  acme = await createTestTenant(db, "acme");
  opsAdmin = await ops.add("admin");
  opsEmployee = await ops.add("employee");
  acmeAdmin = await acme.add("admin");
  acmeEmployee = await acme.add("employee");
  await withOwner(
    (c) => c.query("UPDATE kernel.settings SET operator_tenant_id = $1::uuid", [ops.id]),
    ownerUrl,
  );
});

afterAll(async () => {
  await scheduler?.stop();
  await appPool?.end();
  await close();
});

// ─── Helpers ─────────────────────────────────────────────────────────────────────────────────────

const call = (user: TestUser, tenant: TestTenant, path: string, input?: unknown) =>
  callHttp(contextFor(db, user.userId, tenant.slug), path, input);

function ok<T>(res: HttpResult, schema: z.ZodType<T>): T {
  expect(res.error?.message, "expected success").toBeUndefined();
  expect(res.status).toBe(200);
  return schema.parse(res.data);
}

function refused(res: HttpResult, status: number, message: string) {
  expect(res.status).toBe(status);
  expect(res.error?.message).toBe(message);
}

async function newPool(): Promise<string> {
  const id = `connector:${unique("kernel-page")}`;
  await ensurePool(poolSql(appPool), { ...connectorPoolDefaults("test"), id, label: `Pool ${id}` });
  return id;
}

const poolOf = async (id: string) => {
  const { pools } = ok(await call(opsAdmin, ops, "kernel.pools"), poolsOutput);
  const pool = pools.find((p) => p.id === id);
  if (!pool) throw new Error(`no pool ${id}`);
  return pool;
};

const settingsOf = (pool: PoolSettings): PoolSettings => ({
  policy: pool.policy,
  concurrency: pool.concurrency,
  requestsPerMinute: pool.requestsPerMinute,
  tokensPerMinute: pool.tokensPerMinute,
  tenantConcurrency: pool.tenantConcurrency,
  tenantRequestsPerMinute: pool.tenantRequestsPerMinute,
  tenantTokensPerMinute: pool.tenantTokensPerMinute,
  agingPerSecond: pool.agingPerSecond,
  defaultDeadlineMs: pool.defaultDeadlineMs,
});

/** Everything the kernel procedures could write, read as the database owner. */
const kernelState = () =>
  withOwner(async (c) => {
    const pools = await c.query("SELECT * FROM kernel.pool ORDER BY id");
    const weights = await c.query("SELECT * FROM kernel.tenant_weight ORDER BY pool_id, tenant_id");
    const audited = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "AuditEntry" WHERE action LIKE 'kernel.%'`,
    );
    return { pools: pools.rows, weights: weights.rows, audited: audited.rows[0]?.n };
  }, ownerUrl);

const auditEntries = z.object({
  entries: z.array(
    z.object({ action: z.string(), sentence: z.string(), resourceLabel: z.string().nullable() }),
  ),
});
const kernelAudit = async (user: TestUser, tenant: TestTenant) =>
  ok(await call(user, tenant, "audit.list", { action: "kernel." }), auditEntries).entries;

// ─── Tests ───────────────────────────────────────────────────────────────────────────────────────

describe("kernel router: who may do what", () => {
  it("refuses employees every procedure, in the operator tenant too", async () => {
    const before = await kernelState();
    for (const [user, tenant] of [
      [acmeEmployee, acme],
      [opsEmployee, ops],
    ] as const) {
      const forbidden = "Your role (employee) cannot do this";
      refused(await call(user, tenant, "kernel.pools"), 403, forbidden);
      refused(await call(user, tenant, "kernel.stats", { poolId: MODEL, windowMinutes: 5 }), 403, forbidden);
      refused(
        await call(user, tenant, "kernel.updatePool", { id: MODEL, version: 1, settings: MODEL_SETTINGS }),
        403,
        forbidden,
      );
      refused(
        await call(user, tenant, "kernel.setTenantWeight", { poolId: MODEL, tenantId: acme.id, weight: 2 }),
        403,
        forbidden,
      );
    }
    expect(await kernelState()).toEqual(before);
  });

  it("shows every owner and admin the pools; only the operator tenant's may edit them", async () => {
    const seen = ok(await call(acmeAdmin, acme, "kernel.pools"), poolsOutput);
    expect(seen.canEdit).toBe(false);
    expect(seen.pools.find((p) => p.id === MODEL)).toMatchObject({
      label: "Language model",
      kind: "model",
      ...MODEL_SETTINGS,
      pausedUntil: null,
      rateLimitedTotal: 0,
      retriesTotal: 0,
    });
    expect(ok(await call(acme.owner, acme, "kernel.pools"), poolsOutput).canEdit).toBe(false);
    expect(ok(await call(opsAdmin, ops, "kernel.pools"), poolsOutput).canEdit).toBe(true);
    expect(ok(await call(ops.owner, ops, "kernel.pools"), poolsOutput).canEdit).toBe(true);
  });

  it("refuses another tenant's admin and owner every change, with why; nothing changes, nothing is audited", async () => {
    const poolId = await newPool();
    const { version } = await poolOf(poolId);
    const before = await kernelState();
    for (const user of [acmeAdmin, acme.owner]) {
      refused(
        await call(user, acme, "kernel.updatePool", {
          id: MODEL,
          version: 1,
          settings: { ...MODEL_SETTINGS, policy: "fifo" },
        }),
        403,
        NOT_OPERATOR,
      );
      refused(
        await call(user, acme, "kernel.updatePool", {
          id: poolId,
          version,
          settings: { ...connectorPoolDefaults("x"), concurrency: 1 },
        }),
        403,
        NOT_OPERATOR,
      );
      refused(
        await call(user, acme, "kernel.setTenantWeight", { poolId, tenantId: acme.id, weight: 100 }),
        403,
        NOT_OPERATOR,
      );
    }
    expect(await kernelState()).toEqual(before);
    expect(await kernelAudit(acmeAdmin, acme)).toEqual([]);
  });
});

describe("kernel router: an operator edits a pool", () => {
  it("changes the Language model's policy and limits; the change is audited in a sentence", async () => {
    const before = await poolOf(MODEL);
    const updated = ok(
      await call(opsAdmin, ops, "kernel.updatePool", {
        id: MODEL,
        version: before.version,
        settings: { ...MODEL_SETTINGS, policy: "fifo", concurrency: 8, requestsPerMinute: null },
      }),
      poolView,
    );
    expect(updated).toMatchObject({ policy: "fifo", concurrency: 8, requestsPerMinute: null });
    expect(updated.version).toBe(before.version + 1);
    expect(await poolOf(MODEL)).toEqual(updated);

    const [entry] = await kernelAudit(opsAdmin, ops);
    expect(entry).toMatchObject({ action: "kernel.pool_updated", resourceLabel: "Language model" });
    expect(entry?.sentence).toBe(
      "ops admin changed Language model: policy fair_share → fifo, concurrency 16 → 8, requests per minute 3,000 → no limit",
    );
    // Everyone sees the new settings; the audit entry is the operator tenant's, not another tenant's.
    const seen = ok(await call(acmeAdmin, acme, "kernel.pools"), poolsOutput);
    expect(seen.pools.find((p) => p.id === MODEL)).toMatchObject({ policy: "fifo", concurrency: 8 });
    expect(await kernelAudit(acmeAdmin, acme)).toEqual([]);
  });

  it("refuses a save over someone else's change (stale version) and keeps theirs", async () => {
    const poolId = await newPool();
    const opened = await poolOf(poolId);
    ok(
      await call(ops.owner, ops, "kernel.updatePool", {
        id: poolId,
        version: opened.version,
        settings: { ...settingsOf(opened), concurrency: 4 },
      }),
      poolView,
    );
    const before = await kernelState();
    refused(
      await call(opsAdmin, ops, "kernel.updatePool", {
        id: poolId,
        version: opened.version,
        settings: { ...settingsOf(opened), policy: "deadline" },
      }),
      409,
      CONFLICT,
    );
    expect(await kernelState()).toEqual(before);
    expect(await poolOf(poolId)).toMatchObject({
      concurrency: 4,
      policy: "fair_share",
      version: opened.version + 1,
    });
  });

  it("saving the settings a pool already has changes nothing and records nothing", async () => {
    const poolId = await newPool();
    const opened = await poolOf(poolId);
    const before = await kernelState();
    const same = ok(
      await call(opsAdmin, ops, "kernel.updatePool", {
        id: poolId,
        version: opened.version,
        settings: settingsOf(opened),
      }),
      poolView,
    );
    expect(same).toEqual(opened);
    expect(await kernelState()).toEqual(before);
  });

  it("answers bad settings with the field at fault, and writes nothing", async () => {
    const poolId = await newPool();
    const opened = await poolOf(poolId);
    const before = await kernelState();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ concurrency: 0 }, "settings.concurrency", "At least one syscall must be able to run"],
      [{ concurrency: 2.5 }, "settings.concurrency", "Use a whole number"],
      [{ requestsPerMinute: 0 }, "settings.requestsPerMinute", "At least 1"],
      [{ tenantTokensPerMinute: 2_000_000_000 }, "settings.tenantTokensPerMinute", "At most 1,000,000,000"],
      [
        { policy: "lottery" },
        "settings.policy",
        "Choose one of: fifo, round_robin, priority, fair_share, deadline",
      ],
      [{ agingPerSecond: -1 }, "settings.agingPerSecond", "Use 0 or more (0: no aging)"],
      [{ defaultDeadlineMs: 100_000_000 }, "settings.defaultDeadlineMs", "At most a day (86,400,000 ms)"],
      [{ concurrency: "8" }, "settings.concurrency", "Enter a number"],
    ];
    for (const [change, field, message] of cases) {
      const res = await call(opsAdmin, ops, "kernel.updatePool", {
        id: poolId,
        version: opened.version,
        settings: { ...settingsOf(opened), ...change },
      });
      expect(res.status, JSON.stringify(change)).toBe(400);
      expect(res.error?.data.fieldErrors?.[field]).toEqual([message]);
      expect(res.error?.message).toBe(`${field}: ${message}`);
    }
    const weight = await call(opsAdmin, ops, "kernel.setTenantWeight", {
      poolId,
      tenantId: acme.id,
      weight: 0,
    });
    expect(weight.status).toBe(400);
    expect(weight.error?.data.fieldErrors?.weight).toEqual(["Use a weight above 0"]);
    const window = await call(opsAdmin, ops, "kernel.stats", { poolId, windowMinutes: 7 });
    expect(window.status).toBe(400);
    expect(window.error?.data.fieldErrors?.windowMinutes).toEqual(["Choose a window of 5, 15, 60 minutes"]);
    expect(await kernelState()).toEqual(before);
  });

  it("answers an unknown pool or tenant with not found, and writes nothing", async () => {
    const poolId = await newPool();
    const before = await kernelState();
    const gone = "connector:no-such-pool";
    refused(
      await call(opsAdmin, ops, "kernel.stats", { poolId: gone, windowMinutes: 5 }),
      404,
      "Resource pool not found",
    );
    refused(
      await call(acmeAdmin, acme, "kernel.stats", { poolId: gone, windowMinutes: 5 }),
      404,
      "Resource pool not found",
    );
    refused(
      await call(opsAdmin, ops, "kernel.updatePool", { id: gone, version: 1, settings: MODEL_SETTINGS }),
      404,
      "Resource pool not found",
    );
    refused(
      await call(opsAdmin, ops, "kernel.setTenantWeight", { poolId: gone, tenantId: acme.id, weight: 2 }),
      404,
      "Resource pool not found",
    );
    refused(
      await call(opsAdmin, ops, "kernel.setTenantWeight", { poolId, tenantId: randomUUID(), weight: 2 }),
      404,
      "Tenant not found",
    );
    expect(await kernelState()).toEqual(before);
  });
});

describe("kernel router: numbers", () => {
  let poolId: string;

  beforeAll(async () => {
    poolId = await newPool();
    const job = (tenant: TestTenant, i: number) =>
      scheduler.run({ poolId, tenantId: tenant.id, agentKey: `agent-${i % 2}`, label: "test" }, () =>
        Promise.resolve({ kind: "done", value: i } as const),
      );
    await Promise.all([job(acme, 0), job(acme, 1), job(acme, 2), job(ops, 3), job(ops, 4)]);
    // The scheduler's next round writes the last slots back; the numbers below count finished syscalls.
    await eventually(
      async () => {
        const { rows } = await appPool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM kernel.syscall WHERE pool_id = $1 AND state = 'done'",
          [poolId],
        );
        return rows[0]?.n ?? 0;
      },
      (n) => n === 5,
      { what: "five finished syscalls" },
    );
  });

  it("shows a tenant that is not the operator its own numbers only, with the pool's totals", async () => {
    const stats = ok(await call(acmeAdmin, acme, "kernel.stats", { poolId, windowMinutes: 5 }), statsOutput);
    expect(stats).toMatchObject({ poolId, windowMinutes: 5, queued: 0, running: 0, throughputPerMinute: 1 });
    expect(stats.tenants).toEqual([
      expect.objectContaining({
        tenantId: acme.id,
        name: "acme",
        served: 3,
        queued: 0,
        running: 0,
        weight: 1,
      }),
    ]);
    const [own] = stats.tenants;
    for (const wait of [own?.waitP50Ms, own?.waitP95Ms, own?.waitP99Ms])
      expect(wait).toBeGreaterThanOrEqual(0);
    expect(stats.series).toHaveLength(30);
    expect(stats.series.reduce((sum, point) => sum + point.granted, 0)).toBe(5);
  });

  it("shows the operators every tenant by name, and the fairness between them", async () => {
    const stats = ok(await call(opsAdmin, ops, "kernel.stats", { poolId, windowMinutes: 15 }), statsOutput);
    expect(stats.throughputPerMinute).toBeCloseTo(5 / 15);
    expect(stats.tenants.map((t) => [t.name, t.served]).sort()).toEqual([
      ["acme", 3],
      ["ops", 2],
    ]);
    // Each tenant asked for what it got and got it: perfectly fair.
    expect(stats.fairness).toBeCloseTo(1);
  });

  it("an operator sets a tenant's weight: the numbers show it and the audit log says so", async () => {
    const set = (weight: number) =>
      call(opsAdmin, ops, "kernel.setTenantWeight", { poolId, tenantId: acme.id, weight });
    expect(ok(await set(2.5), z.object({ weight: z.number() }))).toEqual({ weight: 2.5 });
    ok(await set(4), z.object({ weight: z.number() }));
    const stats = ok(await call(opsAdmin, ops, "kernel.stats", { poolId, windowMinutes: 5 }), statsOutput);
    expect(stats.tenants.find((t) => t.tenantId === acme.id)?.weight).toBe(4);
    const own = ok(await call(acmeAdmin, acme, "kernel.stats", { poolId, windowMinutes: 5 }), statsOutput);
    expect(own.tenants.map((t) => t.weight)).toEqual([4]);

    const sentences = (await kernelAudit(opsAdmin, ops))
      .filter((e) => e.action === "kernel.pool_weight_set")
      .map((e) => e.sentence);
    expect(sentences.slice(0, 2)).toEqual([
      `ops admin set acme's weight in Pool ${poolId} from 2.5 to 4`,
      `ops admin set acme's weight in Pool ${poolId} from 1 to 2.5`,
    ]);
  });
});

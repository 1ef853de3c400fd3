/**
 * Model calls through kernel.generate against the mock OpenAI server over real HTTP: the scheduler
 * keeps the provider within its capacity and rate limits (measured at the server), a provider's 429
 * never reaches the agent, and every call is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poolOf } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { describeAuditEntry } from "@/server/kernel/audit/sentence";
import {
  createTestAccess,
  createTestTenant,
  testDb,
  unique,
  withOwner,
  type TestAccess,
  type TestTenant,
} from "@/server/testing/fixtures";
import { Kernel, type KernelContext } from "./kernel";
import { OpenAIProvider } from "./models";
import { startMockOpenAI, type MockOpenAI } from "./models/mock-openai-server";
import { connectorPoolDefaults, ensurePool, type PoolDefinition } from "./scheduler/pools";
import { Scheduler } from "./scheduler/scheduler";
import { poolSql } from "./scheduler/store";
import { createToolRegistry } from "./tools/registry";

/** Time compressed 30×: a "minute" of rate limits lasts two seconds, at the server and in the scheduler. */
const WINDOW_MS = 2_000;

let mock: MockOpenAI;
let scheduler: Scheduler;
let kernel: Kernel;
let tenant: TestTenant;
let access: TestAccess;

beforeAll(async () => {
  tenant = await createTestTenant(testDb(), "models");
  access = await createTestAccess(testDb(), tenant);
  mock = await startMockOpenAI({
    apiKey: "sk-test",
    capacity: 3,
    baseLatencyMs: 15,
    latencyPerTokenMs: 0.2,
    requestsPerMinute: 12,
    windowMs: WINDOW_MS,
  });
  scheduler = new Scheduler({ pool: poolOf(testDb()), rateWindowMs: WINDOW_MS + 250, tickMs: 100 });
  const provider = new OpenAIProvider({ baseUrl: mock.url, apiKey: "sk-test", model: "gpt-test" });
  kernel = new Kernel({
    db: testDb,
    tools: createToolRegistry([]),
    scheduler: () => scheduler,
    models: () => provider,
  });
});

afterAll(async () => {
  await scheduler.stop();
  await mock.close();
});

async function newModelPool(overrides: Partial<PoolDefinition>): Promise<string> {
  const id = `model:${unique("test")}`;
  await ensurePool(poolSql(poolOf(testDb())), {
    ...connectorPoolDefaults("x"),
    id,
    kind: "model",
    label: "Test model",
    ...overrides,
  });
  return id;
}

const agent = (runId = "run-models"): KernelContext => ({
  tenantId: tenant.id,
  principal: { type: "agent", agentId: access.agentId, actingForUserId: access.actingFor.userId, runId },
});

const ask = (poolId: string, question: string, ctx = agent()) =>
  kernel.generate(ctx, {
    poolId,
    request: { messages: [{ role: "user", content: question }], maxTokens: 20 },
  });

describe("kernel.generate", () => {
  it("keeps 30 concurrent calls within the provider's capacity and rate limit, with no 429 at all", async () => {
    mock.resetStats();
    const poolId = await newModelPool({ concurrency: 3, requestsPerMinute: 12 });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => ask(poolId, `question ${i}`)));
    expect(results.every((r) => r.status === "succeeded")).toBe(true);
    const stats = mock.stats();
    expect(stats.served).toBe(30);
    expect(stats.rejected429).toBe(0);
    expect(stats.maxConcurrentObserved).toBeLessThanOrEqual(3);
    expect(stats.maxRequestsInWindow).toBeLessThanOrEqual(12);
  });

  it("absorbs the provider's 429s when the pool is set above its capacity: none reaches the agent", async () => {
    mock.resetStats();
    const poolId = await newModelPool({ concurrency: 8 });
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => ask(poolId, `burst ${i}`)));
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 16 }, () => "succeeded"));
    const stats = mock.stats();
    expect(stats.rejectedForCapacity).toBeGreaterThan(0);
    const retried = results.reduce((n, r) => n + (r.status === "succeeded" ? r.timings.rateLimited : 0), 0);
    expect(retried).toBe(stats.rejected429);
    const { rows } = await withOwner((c) =>
      c.query<{ n: string }>("SELECT rate_limited_total::text AS n FROM kernel.pool WHERE id = $1", [poolId]),
    );
    expect(Number(rows[0]?.n)).toBe(stats.rejected429);
  });

  it("audits each call with who asked, an excerpt, tokens and the wait", async () => {
    const poolId = await newModelPool({ concurrency: 2 });
    const result = await ask(poolId, "Which rooms are free at 10?");
    expect(result.status).toBe("succeeded");
    const [entry] = await withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
      tx.auditEntry.findMany({
        where: { tenantId: tenant.id, action: "model.called" },
        orderBy: { seq: "desc" },
        take: 1,
      }),
    );
    expect(entry).toMatchObject({ actorType: "agent", outcome: "succeeded", resourceLabel: "gpt-test" });
    expect(entry?.detail).toMatchObject({
      syscallId: result.syscallId,
      pool: poolId,
      prompt: "Which rooms are free at 10?",
      usage: { prompt: expect.any(Number) as number, completion: 20 },
      attempts: 1,
    });
    expect(describeAuditEntry(entry!)).toMatch(
      /^Agent .+ \(for .+\) asked gpt-test "Which rooms are free at 10\?" and got an answer after waiting \d+ ms for the model$/,
    );
  });

  it("refuses an unknown agent before anything is queued, and audits the refusal", async () => {
    const poolId = await newModelPool({ concurrency: 2 });
    const result = await kernel.generate(
      {
        tenantId: tenant.id,
        principal: {
          type: "agent",
          agentId: "00000000-0000-4000-8000-000000000000",
          actingForUserId: access.actingFor.userId,
        },
      },
      { poolId, request: { messages: [{ role: "user", content: "hi" }], maxTokens: 5 } },
    );
    expect(result).toMatchObject({ status: "denied", reasons: ["unknown-agent"] });
    const { rows } = await withOwner((c) =>
      c.query("SELECT 1 FROM kernel.syscall WHERE pool_id = $1", [poolId]),
    );
    expect(rows).toHaveLength(0);
  });
});

import { describe, expect, it } from "vitest";
import {
  planRound,
  RATE_WINDOW_MS,
  type Policy,
  type PoolLimits,
  type QueuedSyscall,
  type RoundInput,
  type Share,
} from "./policy";

const T1 = "11111111-1111-4111-8111-111111111111";
const T2 = "22222222-2222-4222-8222-222222222222";

const limits = (overrides: Partial<PoolLimits> = {}): PoolLimits => ({
  concurrency: 1,
  requestsPerMinute: null,
  tokensPerMinute: null,
  tenantConcurrency: null,
  tenantRequestsPerMinute: null,
  tenantTokensPerMinute: null,
  ...overrides,
});

let nextId = 1;
const syscall = (s: Partial<QueuedSyscall> = {}): QueuedSyscall => ({
  id: String(nextId++),
  tenantId: T1,
  agentKey: "a",
  priority: 5,
  deadline: null,
  tokens: 0,
  enqueuedAt: 0,
  ...s,
});

const input = (policy: Policy, queued: QueuedSyscall[], overrides: Partial<RoundInput> = {}): RoundInput => ({
  pool: {
    policy,
    limits: limits(),
    agingPerSecond: 0,
    defaultDeadlineMs: 60_000,
    pausedUntil: null,
    rrCursor: null,
    vclock: 0,
  },
  now: 1_000_000,
  queued,
  running: new Map(),
  recent: [],
  weights: new Map(),
  shares: new Map(),
  ...overrides,
});

/**
 * Serves the queue one syscall at a time (concurrency 1, each finishing before the next round), as a
 * dispatcher would, carrying the policy's state from round to round; returns the order served.
 */
function serveAll(
  policy: Policy,
  queued: QueuedSyscall[],
  overrides: Partial<RoundInput> = {},
  now = 1_000_000,
) {
  const order: QueuedSyscall[] = [];
  let state = input(policy, queued, overrides);
  let remaining = [...queued];
  let shares = new Map<string, Share>(state.shares);
  while (remaining.length > 0) {
    const plan = planRound({ ...state, queued: remaining, shares, now });
    const id = plan.grants[0];
    const chosen = remaining.find((s) => s.id === id);
    if (!chosen) throw new Error("nothing granted");
    order.push(chosen);
    remaining = remaining.filter((s) => s !== chosen);
    shares = new Map([...shares, ...plan.shares]);
    state = { ...state, pool: { ...state.pool, rrCursor: plan.rrCursor, vclock: plan.vclock } };
  }
  return order;
}

describe("planRound: policies", () => {
  it("fifo serves in arrival order, whoever sent it", () => {
    const q = [
      syscall({ agentKey: "b", priority: 9 }),
      syscall({ agentKey: "a" }),
      syscall({ agentKey: "b" }),
    ];
    expect(serveAll("fifo", q).map((s) => s.id)).toEqual(q.map((s) => s.id));
  });

  it("round robin lets agents take turns, each agent's syscalls in order", () => {
    const a1 = syscall({ agentKey: "a" });
    const a2 = syscall({ agentKey: "a" });
    const a3 = syscall({ agentKey: "a" });
    const b1 = syscall({ agentKey: "b" });
    const c1 = syscall({ agentKey: "c" });
    const b2 = syscall({ agentKey: "b" });
    expect(serveAll("round_robin", [a1, a2, a3, b1, c1, b2])).toEqual([a1, b1, c1, a2, b2, a3]);
  });

  it("priority serves the most urgent first, oldest first among equals", () => {
    const low = syscall({ priority: 1 });
    const high = syscall({ priority: 8 });
    const mid1 = syscall({ priority: 5 });
    const mid2 = syscall({ priority: 5 });
    expect(serveAll("priority", [low, high, mid1, mid2])).toEqual([high, mid1, mid2, low]);
  });

  it("priority with aging: a low-priority syscall that waited long enough goes before newer urgent ones", () => {
    const now = 1_000_000;
    // Waiting 20 s at 0.5 points/s adds 10 points: 0 + 10 beats 9 + a little.
    const old = syscall({ priority: 0, enqueuedAt: now - 20_000 });
    const urgent = syscall({ priority: 9, enqueuedAt: now - 1_000 });
    const plan = planRound({
      ...input("priority", [old, urgent]),
      pool: { ...input("priority", []).pool, agingPerSecond: 0.5 },
      now,
    });
    expect(plan.grants).toEqual([old.id]);
    // Without aging the urgent one wins.
    expect(planRound({ ...input("priority", [old, urgent]), now }).grants).toEqual([urgent.id]);
  });

  it("no starvation under priority with aging: a steady stream of urgent work still lets the old one through", () => {
    const aging = 0.5;
    const starved = syscall({ priority: 0, enqueuedAt: 0 });
    let queue = [starved];
    let served = false;
    // One urgent syscall arrives every second and one syscall is served every second.
    for (let second = 1; second <= 60 && !served; second++) {
      const now = second * 1000;
      queue.push(syscall({ priority: 9, enqueuedAt: now }));
      const pool = { ...input("priority", []).pool, agingPerSecond: aging };
      const [granted] = planRound({ ...input("priority", queue), pool, now }).grants;
      served = granted === starved.id;
      queue = queue.filter((s) => s.id !== granted);
    }
    expect(served).toBe(true);
  });

  it("earliest deadline first; a syscall without one gets the pool's default", () => {
    const now = 1_000_000;
    const late = syscall({ deadline: now + 50_000 });
    const soon = syscall({ deadline: now + 5_000 });
    const none = syscall({ deadline: null, enqueuedAt: now - 56_000 }); // default 60 s → due in 4 s
    const later = syscall({ deadline: now + 30_000 });
    expect(serveAll("deadline", [late, soon, none, later], {}, now)).toEqual([none, soon, later, late]);
  });

  it("weighted fair share splits the pool between tenants by weight, whatever each one queued", () => {
    const queue = [
      ...Array.from({ length: 40 }, () => syscall({ tenantId: T1, agentKey: "flood" })),
      ...Array.from({ length: 40 }, () => syscall({ tenantId: T2, agentKey: "x" })),
    ];
    const served = serveAll("fair_share", queue, { weights: new Map([[T2, 3]]) }).slice(0, 40);
    const t2 = served.filter((s) => s.tenantId === T2).length;
    expect(t2).toBe(30); // weights 1 : 3
  });

  it("weighted fair share then splits a tenant's part equally between its agents", () => {
    const queue = [
      ...Array.from({ length: 30 }, () => syscall({ tenantId: T1, agentKey: "busy" })),
      ...Array.from({ length: 10 }, () => syscall({ tenantId: T1, agentKey: "quiet" })),
    ];
    const firstTwenty = serveAll("fair_share", queue).slice(0, 20);
    expect(firstTwenty.filter((s) => s.agentKey === "quiet")).toHaveLength(10);
  });

  it("a tenant that was idle gets no credit for it: it starts at the pool's clock", () => {
    const busy = Array.from({ length: 10 }, () => syscall({ tenantId: T1 }));
    const newcomer = Array.from({ length: 10 }, () => syscall({ tenantId: T2 }));
    // T1 has consumed 100 units already; T2 never ran. Without the clock T2 would get 100 in a row.
    const shares = new Map<string, Share>([[T1, { vtime: 100, clock: 0 }]]);
    const order = serveAll("fair_share", [...busy, ...newcomer], {
      shares,
      pool: { ...input("fair_share", []).pool, vclock: 100 },
    });
    const firstTen = order.slice(0, 10);
    expect(firstTen.filter((s) => s.tenantId === T2).length).toBeLessThanOrEqual(6);
  });
});

describe("planRound: capacity and limits", () => {
  it("never grants beyond the pool's concurrency, counting what already runs", () => {
    const q = Array.from({ length: 10 }, () => syscall());
    const plan = planRound({
      ...input("fifo", q),
      pool: { ...input("fifo", []).pool, limits: limits({ concurrency: 4 }) },
      running: new Map([[T1, 3]]),
    });
    expect(plan.grants).toHaveLength(1);
    expect(plan.blocked.concurrency).toBe(true);
  });

  it("a tenant at its own concurrency limit waits while another tenant goes ahead", () => {
    const q = [syscall({ tenantId: T1 }), syscall({ tenantId: T1 }), syscall({ tenantId: T2 })];
    const plan = planRound({
      ...input("fifo", q),
      pool: { ...input("fifo", []).pool, limits: limits({ concurrency: 10, tenantConcurrency: 1 }) },
    });
    expect(plan.grants).toEqual([q[0]!.id, q[2]!.id]);
  });

  it("requests per minute: grants up to the limit within the window, then says when the next may go", () => {
    const now = 1_000_000;
    const q = Array.from({ length: 5 }, () => syscall());
    const recent = [
      { tenantId: T1, at: now - 50_000, requests: 1, tokens: 0 },
      { tenantId: T1, at: now - 10_000, requests: 1, tokens: 0 },
    ];
    const plan = planRound({
      ...input("fifo", q),
      now,
      recent,
      pool: { ...input("fifo", []).pool, limits: limits({ concurrency: 100, requestsPerMinute: 4 }) },
    });
    expect(plan.grants).toHaveLength(2);
    expect(plan.blocked.rate).toBe(true);
    expect(plan.wakeAt).toBe(now - 50_000 + RATE_WINDOW_MS);
  });

  it("tokens per minute are charged per syscall, and one that does not fit yet holds the smaller ones behind it", () => {
    const now = 1_000_000;
    const q = [syscall({ tokens: 600 }), syscall({ tokens: 600 }), syscall({ tokens: 100 })];
    const plan = planRound({
      ...input("fifo", q),
      now,
      pool: { ...input("fifo", []).pool, limits: limits({ concurrency: 100, tokensPerMinute: 1000 }) },
    });
    // The second does not fit and holds the pool (no jumping ahead of it), until the first leaves the window.
    expect(plan.grants).toEqual([q[0]!.id]);
    expect(plan.wakeAt).toBe(now + RATE_WINDOW_MS);
  });

  it("a syscall that could never fit a tokens-per-minute limit is refused instead of blocking the pool", () => {
    const q = [syscall({ tokens: 5_000 }), syscall({ tokens: 10 })];
    const plan = planRound({
      ...input("fifo", q),
      pool: { ...input("fifo", []).pool, limits: limits({ concurrency: 10, tokensPerMinute: 1000 }) },
    });
    expect(plan.refused).toEqual([
      { id: q[0]!.id, reason: expect.stringContaining("5000 tokens") as string },
    ]);
    expect(plan.grants).toEqual([q[1]!.id]);
  });

  it("a tenant's own rate limit holds only that tenant", () => {
    const now = 1_000_000;
    const q = [syscall({ tenantId: T1 }), syscall({ tenantId: T1 }), syscall({ tenantId: T2 })];
    const plan = planRound({
      ...input("fifo", q),
      now,
      pool: { ...input("fifo", []).pool, limits: limits({ concurrency: 100, tenantRequestsPerMinute: 1 }) },
    });
    expect(plan.grants).toEqual([q[0]!.id, q[2]!.id]);
  });

  it("a paused pool (after a provider's 429) grants nothing until the pause ends", () => {
    const now = 1_000_000;
    const plan = planRound({
      ...input("fifo", [syscall()]),
      now,
      pool: { ...input("fifo", []).pool, pausedUntil: now + 2_000 },
    });
    expect(plan.grants).toEqual([]);
    expect(plan.wakeAt).toBe(now + 2_000);
    expect(plan.blocked.paused).toBe(true);
  });
});

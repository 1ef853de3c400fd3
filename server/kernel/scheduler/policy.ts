/**
 * The scheduler's decisions, as pure functions: given a pool, what waits in it, what runs in it and
 * what it granted in the last minute, which syscalls get a slot now. No I/O here, so every policy's
 * ordering is unit-tested directly (policy.test.ts); store.ts loads the inputs and writes the plan
 * back under the pool's lock.
 */

export const POLICIES = ["fifo", "round_robin", "priority", "fair_share", "deadline"] as const;
export type Policy = (typeof POLICIES)[number];

export const POLICY_INFO: Record<Policy, { label: string; description: string }> = {
  fifo: { label: "First in, first out", description: "Oldest syscall first, whoever sent it." },
  round_robin: {
    label: "Round robin across agents",
    description: "Agents take turns, one syscall each; each agent's own syscalls in order.",
  },
  priority: {
    label: "Priority with aging",
    description: "Highest priority first; a waiting syscall gains priority every second, so none starves.",
  },
  fair_share: {
    label: "Weighted fair share",
    description:
      "Tenants share the pool in proportion to their weights, then each tenant's agents share its part equally.",
  },
  deadline: {
    label: "Earliest deadline first",
    description: "The syscall whose deadline comes first; one without a deadline gets the pool's default.",
  },
};

/** Priorities run 0–9; 9 is the most urgent. */
export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 9;
export const DEFAULT_PRIORITY = 5;

/** A grant counts against a per-minute limit for this long: a minute plus a guard band for clock skew
 * and network delay between the grant and the provider receiving the request. */
export const RATE_WINDOW_MS = 61_000;

export type PoolLimits = {
  concurrency: number;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  tenantConcurrency: number | null;
  tenantRequestsPerMinute: number | null;
  tenantTokensPerMinute: number | null;
};

export type PoolState = {
  policy: Policy;
  limits: PoolLimits;
  agingPerSecond: number;
  defaultDeadlineMs: number;
  pausedUntil: number | null;
  rrCursor: string | null;
  vclock: number;
};

export type QueuedSyscall = {
  id: string;
  tenantId: string;
  agentKey: string;
  priority: number;
  /** Epoch ms, or null for none. */
  deadline: number | null;
  tokens: number;
  /** Epoch ms: first queued (ordering) — unchanged when a 429 puts the syscall back. */
  enqueuedAt: number;
};

/**
 * Grants within the rate window: how many requests and tokens, and when they leave the window (the
 * latest of them, when several are summed into one entry: conservative, they leave no earlier).
 */
export type RecentGrant = { tenantId: string; at: number; requests: number; tokens: number };

export type Share = { vtime: number; clock: number };

export type RoundInput = {
  pool: PoolState;
  now: number;
  /** How long a grant counts against per-minute limits (RATE_WINDOW_MS unless time is compressed). */
  windowMs?: number;
  /** Waiting syscalls in id order (which is arrival order). */
  queued: readonly QueuedSyscall[];
  /** Running syscalls per tenant. */
  running: ReadonlyMap<string, number>;
  recent: readonly RecentGrant[];
  /** Fair share: weight per tenant (1 when absent) and virtual times ("<tenant>" and "<tenant>/<agent>"). */
  weights: ReadonlyMap<string, number>;
  shares: ReadonlyMap<string, Share>;
};

export type RoundPlan = {
  /** Syscall ids to dispatch now, in dispatch order. */
  grants: string[];
  rrCursor: string | null;
  vclock: number;
  /** Fair share state that changed, keyed like RoundInput.shares. */
  shares: Map<string, Share>;
  /** When a rate limit or a pause next lets a waiting syscall go (epoch ms), if that is what holds it. */
  wakeAt: number | null;
  /** Syscalls that can never go: they ask for more tokens than a per-minute limit allows at all. */
  refused: { id: string; reason: string }[];
  /** Why syscalls still wait, for the Kernel page. */
  blocked: { concurrency: boolean; rate: boolean; paused: boolean };
};

export const tenantShareKey = (tenantId: string) => tenantId;
export const agentShareKey = (tenantId: string, agentKey: string) => `${tenantId}/${agentKey}`;

/** Cost of one syscall in fair share's virtual time: one request, plus its tokens in thousands, so a
 * tenant of long generations does not crowd out one of short ones on a model pool. */
const cost = (s: QueuedSyscall) => 1 + s.tokens / 1000;

type Usage = { requests: number; tokens: number; grants: { at: number; requests: number; tokens: number }[] };

/** The earliest time at which a window limit admits `need` more of a unit, or null if never (need > limit). */
function windowFreeAt(
  entries: readonly { at: number; amount: number }[],
  used: number,
  limit: number,
  need: number,
  windowMs: number,
): number | null {
  if (need > limit) return null;
  let excess = used + need - limit;
  // Entries leave the window in time order; the one that brings the total under the limit decides.
  const sorted = [...entries].sort((a, b) => a.at - b.at);
  for (const entry of sorted) {
    excess -= entry.amount;
    if (excess <= 0) return entry.at + windowMs;
  }
  return null;
}

/**
 * undefined when `usage` admits one more request of `tokens`; otherwise when it will (epoch ms), or
 * null when it never will on its own (the syscall asks for more than the limit).
 */
function rateHold(
  usage: Usage,
  rpm: number | null,
  tpm: number | null,
  tokens: number,
  windowMs: number,
): number | null | undefined {
  const waits: (number | null)[] = [];
  if (rpm !== null && usage.requests + 1 > rpm)
    waits.push(
      windowFreeAt(
        usage.grants.map((g) => ({ at: g.at, amount: g.requests })),
        usage.requests,
        rpm,
        1,
        windowMs,
      ),
    );
  if (tpm !== null && usage.tokens + tokens > tpm)
    waits.push(
      windowFreeAt(
        usage.grants.map((g) => ({ at: g.at, amount: g.tokens })),
        usage.tokens,
        tpm,
        tokens,
        windowMs,
      ),
    );
  if (waits.length === 0) return undefined;
  const known = waits.filter((at) => at !== null);
  return known.length < waits.length ? null : Math.max(...known);
}

export function planRound(input: RoundInput): RoundPlan {
  const { pool, now } = input;
  const limits = pool.limits;
  const plan: RoundPlan = {
    grants: [],
    rrCursor: pool.rrCursor,
    vclock: pool.vclock,
    shares: new Map(),
    wakeAt: null,
    refused: [],
    blocked: { concurrency: false, rate: false, paused: false },
  };
  if (input.queued.length === 0) return plan;
  if (pool.pausedUntil !== null && pool.pausedUntil > now) {
    plan.wakeAt = pool.pausedUntil;
    plan.blocked.paused = true;
    return plan;
  }

  const windowMs = input.windowMs ?? RATE_WINDOW_MS;
  const windowStart = now - windowMs;
  const usage = (): Usage => ({ requests: 0, tokens: 0, grants: [] });
  const global = usage();
  const perTenant = new Map<string, Usage>();
  const tenantUsage = (tenantId: string) => {
    let u = perTenant.get(tenantId);
    if (!u) perTenant.set(tenantId, (u = usage()));
    return u;
  };
  const charge = (u: Usage, at: number, tokens: number, requests = 1) => {
    u.requests += requests;
    u.tokens += tokens;
    u.grants.push({ at, requests, tokens });
  };
  for (const grant of input.recent) {
    if (grant.at <= windowStart) continue;
    charge(global, grant.at, grant.tokens, grant.requests);
    charge(tenantUsage(grant.tenantId), grant.at, grant.tokens, grant.requests);
  }
  let running = [...input.running.values()].reduce((a, b) => a + b, 0);
  const runningOf = new Map(input.running);

  const shares = new Map(input.shares);
  const shareOf = (key: string): Share => shares.get(key) ?? { vtime: 0, clock: 0 };
  const weightOf = (tenantId: string) => input.weights.get(tenantId) ?? 1;
  const order = makeOrder(pool, now, shareOf, () => plan.vclock);

  const remaining = [...input.queued];
  // Tenants that cannot take another syscall this round (their own limits are reached).
  const tenantsHeld = new Set<string>();
  const holdUntil = (at: number | null) => {
    plan.blocked.rate = true;
    if (at !== null) plan.wakeAt = Math.min(plan.wakeAt ?? at, at);
  };
  while (remaining.length > 0) {
    if (running >= limits.concurrency) {
      plan.blocked.concurrency = true;
      break;
    }
    const candidates = remaining.filter((s) => !tenantsHeld.has(s.tenantId));
    if (candidates.length === 0) break;
    const next = order(candidates, plan.rrCursor);
    // A pool-wide rate limit holds everyone: letting a smaller syscall jump ahead would break the
    // policy's order and could starve a large one.
    const pooled = rateHold(global, limits.requestsPerMinute, limits.tokensPerMinute, next.tokens, windowMs);
    const own = rateHold(
      tenantUsage(next.tenantId),
      limits.tenantRequestsPerMinute,
      limits.tenantTokensPerMinute,
      next.tokens,
      windowMs,
    );
    if (pooled === null || own === null) {
      const limit = pooled === null ? limits.tokensPerMinute : limits.tenantTokensPerMinute;
      plan.refused.push({
        id: next.id,
        reason: `It needs ${next.tokens} tokens, more than the pool allows in a minute (${limit ?? 0})`,
      });
      remaining.splice(remaining.indexOf(next), 1);
      continue;
    }
    if (pooled !== undefined) {
      holdUntil(pooled);
      break;
    }
    const tenant = tenantUsage(next.tenantId);
    if (
      limits.tenantConcurrency !== null &&
      (runningOf.get(next.tenantId) ?? 0) >= limits.tenantConcurrency
    ) {
      plan.blocked.concurrency = true;
      tenantsHeld.add(next.tenantId);
      continue;
    }
    if (own !== undefined) {
      holdUntil(own);
      tenantsHeld.add(next.tenantId);
      continue;
    }
    plan.grants.push(next.id);
    remaining.splice(remaining.indexOf(next), 1);
    running += 1;
    runningOf.set(next.tenantId, (runningOf.get(next.tenantId) ?? 0) + 1);
    charge(global, now, next.tokens);
    charge(tenant, now, next.tokens);
    plan.rrCursor = next.agentKey;
    if (pool.policy === "fair_share") {
      const tKey = tenantShareKey(next.tenantId);
      const aKey = agentShareKey(next.tenantId, next.agentKey);
      const tenantShare = shareOf(tKey);
      const agentShare = shareOf(aKey);
      const tenantStart = Math.max(tenantShare.vtime, plan.vclock);
      const agentStart = Math.max(agentShare.vtime, tenantShare.clock);
      plan.vclock = tenantStart;
      const updatedTenant = { vtime: tenantStart + cost(next) / weightOf(next.tenantId), clock: agentStart };
      const updatedAgent = { vtime: agentStart + cost(next), clock: 0 };
      for (const [key, share] of [
        [tKey, updatedTenant],
        [aKey, updatedAgent],
      ] as const) {
        shares.set(key, share);
        plan.shares.set(key, share);
      }
    }
  }
  return plan;
}

/** The policy's choice among candidates (never empty). Ties go to the older syscall. */
function makeOrder(
  pool: PoolState,
  now: number,
  shareOf: (key: string) => Share,
  vclock: () => number,
): (candidates: readonly QueuedSyscall[], rrCursor: string | null) => QueuedSyscall {
  const best = (candidates: readonly QueuedSyscall[], score: (s: QueuedSyscall) => number) => {
    let chosen = candidates[0]!;
    let chosenScore = score(chosen);
    for (const s of candidates) {
      const value = score(s);
      if (value < chosenScore || (value === chosenScore && Number(s.id) < Number(chosen.id))) {
        chosen = s;
        chosenScore = value;
      }
    }
    return chosen;
  };
  switch (pool.policy) {
    case "fifo":
      return (candidates) => best(candidates, (s) => Number(s.id));
    case "priority":
      // Lower score first: the negated effective priority.
      return (candidates) =>
        best(
          candidates,
          (s) => -(s.priority + (pool.agingPerSecond * Math.max(0, now - s.enqueuedAt)) / 1000),
        );
    case "deadline":
      return (candidates) => best(candidates, (s) => s.deadline ?? s.enqueuedAt + pool.defaultDeadlineMs);
    case "round_robin":
      return (candidates, cursor) => {
        // The next agent after the cursor in a fixed order (agent keys sorted), wrapping around.
        const agents = [...new Set(candidates.map((s) => s.agentKey))].sort();
        const nextAgent = agents.find((a) => cursor === null || a > cursor) ?? agents[0]!;
        return best(
          candidates.filter((s) => s.agentKey === nextAgent),
          (s) => Number(s.id),
        );
      };
    case "fair_share":
      return (candidates) => {
        // Start-time fair queueing, twice: the tenant with the least weighted service (a tenant that
        // was idle starts at the pool's clock, so idling earns no credit), then within it the agent
        // with the least service, then that agent's oldest syscall.
        const tenant = best(candidates, (s) =>
          Math.max(shareOf(tenantShareKey(s.tenantId)).vtime, vclock()),
        ).tenantId;
        const clock = shareOf(tenantShareKey(tenant)).clock;
        const mine = candidates.filter((s) => s.tenantId === tenant);
        const agent = best(mine, (s) =>
          Math.max(shareOf(agentShareKey(tenant, s.agentKey)).vtime, clock),
        ).agentKey;
        return best(
          mine.filter((s) => s.agentKey === agent),
          (s) => Number(s.id),
        );
      };
  }
}

import { describe, expect, it } from "vitest";
import { ROLES } from "@/server/tenancy/roles";
import type { AccessDecision } from "./decide";
import { DEFAULT_POLICY_PACK, LARGE_AMOUNT_CENTS } from "./default-pack";
import type { AccessPrincipal, UserInfo } from "./entities";
import { AccessEvaluator } from "./evaluator";
import type { Approver } from "./approval";
import { accessRequest, agent, NOW, resourceFor, TENANT } from "./fixtures";
import type { Grant } from "./grants";
import { oracleDecision } from "./oracle";
import { ACTION_NAMES, ACTIONS, EFFECTS, isActionName, RESOURCE_TYPES, type ActionName } from "./schema";

/**
 * Random worlds (members, agents, grants) and requests, decided by Cedar through the evaluator and
 * by the plain-TypeScript oracle; the two must agree exactly. Reproduce a failure with
 * ACCESS_PROPERTY_SEED=<seed printed in the failure> npx vitest run server/kernel/access/property.test.ts
 */
const WORLDS = 50;
const REQUESTS_PER_WORLD = 100;
const seed = Number(process.env.ACCESS_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: small, fast, good enough to drive test cases. */
function prng(state: number) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeWorld(random: () => number) {
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  };
  const chance = (p: number) => random() < p;
  const userIds = ["u-0", "u-1", "u-2", "u-3", "u-4", "u-5"];
  const users: UserInfo[] = userIds.map((id) => {
    const managerId = chance(0.7) ? pick(userIds.filter((u) => u !== id)) : undefined;
    return { id, email: `${id}@acme.example`, roles: [pick(ROLES)], ...(managerId ? { managerId } : {}) };
  });
  // "u-0" as an agent id checks that an agent is never mistaken for the user with the same id.
  const agents = ["a-0", "a-1", "u-0"].map((id) => agent(id, pick(userIds)));
  const seconds = (s: number) => new Date(NOW.getTime() + s * 1000);

  const grants: Grant[] = Array.from({ length: Math.floor(random() * 5) }, (_, k) => {
    const shape = pick(["any", "type", "one"] as const);
    const type = pick(RESOURCE_TYPES);
    const forType = ACTION_NAMES.filter((a) => ACTIONS[a] === type);
    const actions = [
      ...new Set([
        pick(shape === "any" ? ACTION_NAMES : forType),
        pick(shape === "any" ? ACTION_NAMES : forType),
      ]),
    ];
    const resource =
      shape === "any" ? undefined : shape === "type" ? { type } : { type, id: pick(["r-0", "r-1"]) };
    return {
      id: `g-${k}`,
      agentId: pick(agents).id,
      actions,
      ...(resource ? { resource } : {}),
      expiresAt: seconds(Math.floor(random() * 14_400) - 3_600 + random()),
      revokedAt: chance(0.15) ? NOW : null,
    };
  });

  const request = () => {
    // Half the agent requests aim at something a grant covers, or grants would rarely be exercised.
    const aimed = grants.length > 0 && chance(0.4) ? pick(grants) : null;
    const principal: AccessPrincipal = aimed
      ? (agents.find((a) => a.id === aimed.agentId) ?? pick(agents))
      : chance(0.6)
        ? { type: "User", ...pick(users) }
        : pick(agents);
    // Budgets gate two actions of thirty-odd: aim at them more often, or their gates are rarely met.
    const action =
      aimed && chance(0.9)
        ? pick(aimed.actions.filter(isActionName))
        : chance(0.2)
          ? pick(BUDGETED)
          : pick(ACTION_NAMES);
    const resourceId =
      aimed?.resource && "id" in aimed.resource && chance(0.9) ? aimed.resource.id : pick(["r-0", "r-1"]);
    const self = principal.type === "User" ? principal.id : principal.actingForId;
    const ownerId = chance(0.4) ? self : pick(userIds);
    const amountCents = pick([
      0,
      5_000,
      LARGE_AMOUNT_CENTS - 1,
      LARGE_AMOUNT_CENTS,
      LARGE_AMOUNT_CENTS + 1,
      9_000_000,
    ]);
    // A budget check may have run (true or false) or not (absent): all three must decide the same way.
    const budget = pick(["unchecked", "within", "over"] as const);
    const overBudget = budget === "unchecked" ? undefined : budget === "over";
    const target = resourceFor(action, ownerId, { id: resourceId, amountCents, overBudget });
    const expiry = grants.length > 0 && chance(0.3) ? pick(grants).expiresAt.getTime() : null;
    const now = new Date(
      expiry !== null
        ? expiry + pick([-1000, -1, 0, 1, 1000])
        : seconds(Math.floor(random() * 14_400) - 3_600).getTime(),
    );
    const related = { users: users.filter(() => chance(0.8)) };
    const base = accessRequest(principal, action, target, pick(EFFECTS), now);
    // Some requests arrive with approvals already given, so a gate must open for its approver only.
    const approvals = APPROVERS.filter(() => chance(0.25));
    return { request: { ...base, context: { ...base.context, approvals } }, related };
  };
  return { grants, request };
}

const APPROVERS: Approver[] = ["manager", "role:admin", "role:approver"];
const BUDGETED: ActionName[] = ["finance.expense.submit", "finance.purchase.request"];

const comparable = (decision: AccessDecision) =>
  decision.decision === "require-approval"
    ? { decision: decision.decision, approvers: decision.approvers, reasons: decision.reasons }
    : { decision: decision.decision, reasons: decision.reasons };

describe("default pack and grants, against the oracle", () => {
  it(`agree on ${WORLDS * REQUESTS_PER_WORLD} random requests (seed ${seed})`, () => {
    const random = prng(seed);
    const seen = new Map<string, number>();
    for (let w = 0; w < WORLDS; w++) {
      const world = makeWorld(random);
      const evaluator = new AccessEvaluator();
      evaluator.setPolicies(
        TENANT,
        { version: 1, policyText: DEFAULT_POLICY_PACK, grants: world.grants },
        NOW,
      );
      for (let r = 0; r < REQUESTS_PER_WORLD; r++) {
        const { request, related } = world.request();
        const actual = comparable(evaluator.decide(TENANT, request, related));
        const expected = comparable(oracleDecision(request, related, world.grants, NOW));
        const failure = `seed ${seed}, world ${w}, request ${r}:\n${JSON.stringify({ request, related, grants: world.grants }, null, 1)}`;
        expect(actual, failure).toEqual(expected);
        seen.set(actual.decision, (seen.get(actual.decision) ?? 0) + 1);
        if (actual.reasons.some((id) => id.startsWith("grant-")))
          seen.set("by-grant", (seen.get("by-grant") ?? 0) + 1);
        if (actual.reasons.some((id) => id.startsWith("over-budget-")))
          seen.set("over-budget", (seen.get("over-budget") ?? 0) + 1);
      }
    }
    // The generator must reach every outcome often enough for agreement to mean something.
    const enough = { allow: 100, deny: 100, "require-approval": 100, "by-grant": 100, "over-budget": 20 };
    for (const [outcome, least] of Object.entries(enough))
      expect(seen.get(outcome) ?? 0, `${outcome} in ${JSON.stringify([...seen])}`).toBeGreaterThan(least);
  });
});

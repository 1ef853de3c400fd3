import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { DEFAULT_POLICY_PACK } from "./default-pack";
import type { AccessRequest, RelatedEntities } from "./entities";
import { AccessEvaluator } from "./evaluator";
import { accessRequest, agent, asPrincipal, member, NOW, resourceFor, TENANT } from "./fixtures";
import type { Grant } from "./grants";

export type AccessBenchResult = {
  decisions: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  setupMs: number;
};

/**
 * Decision latency with a warm cache: the default pack plus 50 grants, then a fixed mix of
 * requests (allow, deny, require-approval; users and agents) timed one by one.
 */
export function benchAccessDecisions(decisions = 10_000): AccessBenchResult {
  const inOneHour = new Date(NOW.getTime() + 3_600_000);
  const grants: Grant[] = Array.from({ length: 50 }, (_, i) => ({
    id: `g-${i}`,
    agentId: `agent-${i % 5}`,
    actions: ["hr.employee.read", "hr.employee.offboard"],
    resource: { type: "Employee" },
    expiresAt: inOneHour,
  }));
  const evaluator = new AccessEvaluator();
  const setupStart = performance.now();
  evaluator.setPolicies(TENANT, { version: 1, policyText: DEFAULT_POLICY_PACK, grants }, NOW);
  const setupMs = performance.now() - setupStart;

  const employee = member("employee", "u-employee", "u-manager");
  const manager = member("approver", "u-manager");
  const related: RelatedEntities = { users: [employee, manager] };
  const mix: AccessRequest[] = [
    accessRequest(
      asPrincipal(employee),
      "hr.timeoff.request",
      resourceFor("hr.timeoff.request", employee.id),
    ),
    accessRequest(asPrincipal(manager), "hr.timeoff.approve", resourceFor("hr.timeoff.approve", employee.id)),
    accessRequest(
      asPrincipal(employee),
      "finance.expense.submit",
      resourceFor("finance.expense.submit", employee.id, { amountCents: 250_000 }),
    ),
    accessRequest(asPrincipal(employee), "hr.employee.update", resourceFor("hr.employee.update", "u-x")),
    accessRequest(
      agent("agent-1", employee.id),
      "hr.employee.read",
      resourceFor("hr.employee.read", "u-x"),
      "read",
    ),
    accessRequest(
      agent("agent-2", employee.id),
      "hr.employee.offboard",
      resourceFor("hr.employee.offboard", "u-x"),
      "destructive",
    ),
    accessRequest(agent("agent-9", employee.id), "it.device.assign", resourceFor("it.device.assign", "d-1")),
  ];
  const decide = (i: number) => {
    const request = mix[i % mix.length];
    if (request) evaluator.decide(TENANT, request, related);
  };

  for (let i = 0; i < 1_000; i++) decide(i);
  const samples = new Float64Array(decisions);
  for (let i = 0; i < decisions; i++) {
    const start = performance.now();
    decide(i);
    samples[i] = performance.now() - start;
  }
  samples.sort();
  const at = (q: number) => samples[Math.min(decisions - 1, Math.floor(q * decisions))] ?? Number.NaN;
  const meanMs = samples.reduce((sum, s) => sum + s, 0) / decisions;
  const result = { decisions, p50Ms: at(0.5), p99Ms: at(0.99), meanMs, setupMs };
  console.log(
    `access decisions: ${decisions} warm, p50 ${result.p50Ms.toFixed(3)} ms, p99 ${result.p99Ms.toFixed(3)} ms, ` +
      `mean ${meanMs.toFixed(3)} ms; loading the pack + ${grants.length} grants took ${setupMs.toFixed(1)} ms`,
  );
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) benchAccessDecisions();

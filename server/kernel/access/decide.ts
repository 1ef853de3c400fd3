import type { Approver } from "./approval";
import type { CedarOutcome } from "./cedar";

/** What the enforcement point answers. `reasons` are policy @ids (or "default-deny") for the UI. */
export type AccessDecision =
  | { decision: "allow"; reasons: string[] }
  | { decision: "require-approval"; approvers: Approver[]; reasons: string[] }
  | { decision: "deny"; reasons: string[]; explanation?: string };

export type PolicyInfo = { effect: "permit" | "forbid"; approval?: Approver };

export const DEFAULT_DENY = "default-deny";

const sorted = <T extends string>(values: Iterable<T>) => [...new Set(values)].sort();

function defaultDeny(principalType: "User" | "Agent"): AccessDecision {
  return principalType === "Agent"
    ? {
        decision: "deny",
        reasons: [DEFAULT_DENY],
        explanation: "Agents have no permissions until they are granted; no grant covers this action.",
      }
    : { decision: "deny", reasons: [DEFAULT_DENY], explanation: "No policy permits this action." };
}

/**
 * Turns Cedar's allow/deny into allow / deny / require-approval (the model is described in
 * approval.ts). `evaluate` runs Cedar with `context.approvals` set to the given approvers;
 * `given` are the approvals the caller already holds.
 *
 * Each round lifts only the gates that blocked the previous one, by adding exactly their approvers,
 * so one approver's yes never opens a gate that names someone else. A round that adds nobody new
 * (a gate that stays shut whatever is approved) ends in deny.
 */
export function decide(
  evaluate: (approvals: readonly Approver[]) => CedarOutcome,
  policies: ReadonlyMap<string, PolicyInfo>,
  principalType: "User" | "Agent",
  given: readonly Approver[] = [],
): AccessDecision {
  const approvals = new Set(given);
  const gates = new Set<string>();
  for (;;) {
    const outcome = evaluate([...approvals].sort());
    const failed = erroredForbids(outcome, policies);
    if (failed) return failed;
    if (outcome.decision === "allow") {
      if (gates.size === 0) return { decision: "allow", reasons: sorted(outcome.reasons) };
      const pending = [...approvals].filter((a) => !given.includes(a));
      return { decision: "require-approval", approvers: sorted(pending), reasons: sorted(gates) };
    }
    if (outcome.reasons.length === 0) return defaultDeny(principalType);

    const hard = outcome.reasons.filter((id) => !policies.get(id)?.approval);
    if (hard.length > 0) return { decision: "deny", reasons: sorted(hard) };
    const wanted = outcome.reasons.flatMap((id) => policies.get(id)?.approval ?? []);
    const fresh = wanted.filter((approver) => !approvals.has(approver));
    if (fresh.length === 0)
      return {
        decision: "deny",
        reasons: sorted(outcome.reasons),
        explanation: "An approval gate stays closed even with its approver's approval; check the policy.",
      };
    fresh.forEach((approver) => approvals.add(approver));
    outcome.reasons.forEach((id) => gates.add(id));
  }
}

/**
 * Cedar skips a policy whose evaluation fails (e.g. an attribute of an entity the caller did not
 * supply) and may then allow. For a forbid that would silently drop a restriction, so any failed
 * forbid denies. A failed permit merely grants nothing, as in Cedar.
 */
function erroredForbids(
  outcome: CedarOutcome,
  policies: ReadonlyMap<string, PolicyInfo>,
): AccessDecision | null {
  const forbids = outcome.errored.filter((id) => policies.get(id)?.effect !== "permit");
  if (forbids.length === 0) return null;
  return {
    decision: "deny",
    reasons: sorted(forbids),
    explanation:
      "A restricting policy could not be evaluated (missing entity data?), so the action is denied.",
  };
}

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
 * approval.ts). `evaluate` runs Cedar with the given `context.approved`.
 */
export function decide(
  evaluate: (approved: boolean) => CedarOutcome,
  policies: ReadonlyMap<string, PolicyInfo>,
  principalType: "User" | "Agent",
): AccessDecision {
  const first = evaluate(false);
  const failed = erroredForbids(first, policies);
  if (failed) return failed;
  if (first.decision === "allow") return { decision: "allow", reasons: sorted(first.reasons) };
  if (first.reasons.length === 0) return defaultDeny(principalType);

  const hard = first.reasons.filter((id) => !policies.get(id)?.approval);
  if (hard.length > 0) return { decision: "deny", reasons: sorted(hard) };

  const second = evaluate(true);
  const failedAgain = erroredForbids(second, policies);
  if (failedAgain) return failedAgain;
  if (second.decision === "deny")
    return second.reasons.length === 0
      ? defaultDeny(principalType)
      : { decision: "deny", reasons: sorted(second.reasons) };

  const approvers = first.reasons.flatMap((id) => policies.get(id)?.approval ?? []);
  return { decision: "require-approval", approvers: sorted(approvers), reasons: sorted(first.reasons) };
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

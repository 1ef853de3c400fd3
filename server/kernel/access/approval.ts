import { ROLES, type Role } from "@/server/tenancy/roles";

/**
 * How "needs approval" is written in Cedar, which only knows allow and deny.
 *
 * A rule that needs someone's approval is a forbid that stops applying once the approval is given,
 * annotated with who must give it:
 *
 *     @id("large-expense-needs-approver")
 *     @approval("role:approver")
 *     forbid (principal, action == Tenet::Action::"finance.expense.submit", resource)
 *     when { resource.amountCents > 100000 }
 *     unless { context.approved };
 *
 * decide.ts evaluates every request with `context.approved = false`. A deny caused only by such
 * approval-gated forbids is re-evaluated with `approved = true`; if that allows, the answer is
 * "require approval" from the union of the forbids' @approval values, otherwise "deny". A forbid
 * without @approval is a hard deny that no approval lifts. Because forbids always win in Cedar, a
 * grant to an agent (a permit) can never get past an approval gate.
 *
 * Values: "manager" (the principal's manager, or the acting-for user's manager for an agent) or
 * "role:<role>" (any member holding that role).
 */
export type Approver = "manager" | `role:${Role}`;

export function parseApprover(value: string): Approver | null {
  if (value === "manager") return "manager";
  const role = /^role:(.+)$/.exec(value)?.[1];
  const known = ROLES.find((r) => r === role);
  return known ? `role:${known}` : null;
}

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
 *     unless { context.approvals.contains("role:approver") };
 *
 * `context.approvals` is the set of approvers who have said yes to this very request (verified by
 * the kernel, never taken from the caller's word). The gate must test for its own @approval value
 * (validate.ts checks), so an admin's yes cannot open a gate that waits for finance.
 *
 * decide.ts evaluates with the approvals given. A deny caused only by approval gates is
 * re-evaluated with those gates' approvers added; if that allows, the answer is "require approval"
 * from the approvers still missing, otherwise "deny". A forbid without @approval is a hard deny that
 * no approval lifts. Because forbids always win in Cedar, a grant to an agent (a permit) can never
 * get past an approval gate.
 *
 * Values: "manager" (the principal's manager, or the acting-for user's manager for an agent) or
 * "role:<role>" (any member holding that role).
 */
export type Approver = "manager" | `role:${Role}`;

/** How an approver is said in sentences: "their manager", "an admin", "a publisher". */
export const approverWords = (approver: Approver) =>
  approver === "manager"
    ? "their manager"
    : `an ${approver.slice("role:".length)}`.replace(/^an ([^aeiou])/, "a $1");

/** The condition a gate for `approver` must contain (validate.ts looks for it). */
export const approvalCondition = (approver: Approver) => `context.approvals.contains("${approver}")`;

export function parseApprover(value: string): Approver | null {
  if (value === "manager") return "manager";
  const role = /^role:(.+)$/.exec(value)?.[1];
  const known = ROLES.find((r) => r === role);
  return known ? `role:${known}` : null;
}

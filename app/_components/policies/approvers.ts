import type { Approver } from "@/app/_lib/trpc-types";

const ROLE_PREFIX = "role:";

/**
 * Who an approver value stands for, to follow "approval from": "manager" is the manager of the person
 * asking (or of the person an agent acts for), "role:<role>" anyone holding that role.
 */
export function approverLabel(approver: Approver): string {
  return approver === "manager" ? "their manager" : `the ${approver.slice(ROLE_PREFIX.length)} role`;
}

/** "the approver role and their manager". */
export function approverList(approvers: readonly Approver[]): string {
  const labels = approvers.map(approverLabel);
  if (labels.length <= 1) return labels.join("");
  return `${labels.slice(0, -1).join(", ")} and ${labels.at(-1) ?? ""}`;
}

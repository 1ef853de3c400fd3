import type { Role } from "@/server/tenancy/roles";
import type { Approver } from "./approval";
import type { AccessDecision } from "./decide";
import { LARGE_AMOUNT_CENTS } from "./default-pack";
import type { AccessRequest, RelatedEntities, UserInfo } from "./entities";
import type { Grant } from "./grants";

/**
 * Test support: the default pack and grants restated in plain TypeScript, without Cedar, so the
 * property test can compare the two. Written from the rules in the brief, not from the Cedar text;
 * keep it that way, or the test proves nothing.
 */
type Rule = { id: string; kind: "permit" | "forbid"; approval?: Approver; holds: boolean };

export function oracleDecision(
  request: AccessRequest,
  related: RelatedEntities,
  grants: readonly Grant[],
  loadedAt: Date,
): AccessDecision {
  const { principal, action, resource, context } = request;
  const asUser = principal.type === "User" ? principal : null;
  const has = (role: Role) => asUser?.roles.includes(role) ?? false;
  const adminLike = has("owner") || has("admin");
  // Who "is" the principal for self-dealing checks: a user themself, an agent the user it acts for.
  const isPrincipal = (userId: string) => asUser?.id === userId;
  const selfDealing = (userId: string) =>
    isPrincipal(userId) || (principal.type === "Agent" && principal.actingForId === userId);
  const findUser = (id: string): UserInfo | undefined =>
    asUser?.id === id ? asUser : related.users?.find((u) => u.id === id);

  const a = resource.attrs;
  // The one user a resource belongs to, whatever the attribute is called for its type.
  const owner =
    "requesterId" in a
      ? a.requesterId
      : "submitterId" in a
        ? a.submitterId
        : "userId" in a
          ? a.userId
          : "reporterId" in a
            ? a.reporterId
            : "bookerId" in a
              ? a.bookerId
              : "hostId" in a
                ? a.hostId
                : null;
  const amount = "amountCents" in a ? a.amountCents : 0;
  // Only a budget check that found the amount over budget gates; false and absent are the same.
  const overBudget = "overBudget" in a && a.overBudget === true;
  const is = (name: string) => action === name;
  const isOneOf = (names: readonly string[]) => names.includes(action);
  const userAnd = (condition: boolean) => asUser !== null && condition;

  const rules: Rule[] = [
    {
      id: "file-own-time-off",
      kind: "permit",
      holds: userAnd(is("hr.timeoff.request") && isPrincipal(owner ?? "")),
    },
    {
      id: "request-own-app-access",
      kind: "permit",
      holds: userAnd(is("it.access.request") && isPrincipal(owner ?? "")),
    },
    {
      id: "people-changes-with-approval",
      kind: "permit",
      holds: userAnd(
        isOneOf([
          "hr.employee.create",
          "hr.employee.update",
          "hr.employee.offboard",
          "it.access.grant",
          "it.access.revoke",
          "it.device.assign",
          "it.device.return",
        ]),
      ),
    },
    {
      id: "book-spaces",
      kind: "permit",
      holds: userAnd(isOneOf(["facilities.room.book", "facilities.desk.book", "facilities.equipment.book"])),
    },
    {
      id: "cancel-own-booking",
      kind: "permit",
      holds: userAnd(is("facilities.booking.cancel") && isPrincipal(owner ?? "")),
    },
    {
      id: "register-own-visitors",
      kind: "permit",
      holds: userAnd(is("facilities.visitor.register") && isPrincipal(owner ?? "")),
    },
    {
      id: "cancel-own-time-off",
      kind: "permit",
      holds: userAnd(is("hr.timeoff.cancel") && isPrincipal(owner ?? "")),
    },
    {
      id: "report-maintenance",
      kind: "permit",
      holds: userAnd(is("facilities.ticket.create") && isPrincipal(owner ?? "")),
    },
    {
      id: "submit-own-expense",
      kind: "permit",
      holds: userAnd(is("finance.expense.submit") && isPrincipal(owner ?? "")),
    },
    {
      id: "request-own-purchase",
      kind: "permit",
      holds: userAnd(is("finance.purchase.request") && isPrincipal(owner ?? "")),
    },
    {
      id: "read-own-employee-record",
      kind: "permit",
      holds: userAnd(is("hr.employee.read") && isPrincipal(owner ?? "")),
    },
    {
      id: "manager-approves-time-off",
      kind: "permit",
      holds: userAnd(is("hr.timeoff.approve") && findUser(owner ?? "")?.managerId === asUser?.id),
    },
    { id: "admin-approves-time-off", kind: "permit", holds: userAnd(is("hr.timeoff.approve") && adminLike) },
    {
      id: "approver-approves-expenses",
      kind: "permit",
      holds: is("finance.expense.approve") && has("approver"),
    },
    {
      id: "approver-approves-purchases",
      kind: "permit",
      holds: is("finance.purchase.approve") && has("approver"),
    },
    {
      id: "admin-manages-employees",
      kind: "permit",
      holds:
        adminLike &&
        isOneOf([
          "hr.employee.read",
          "hr.employee.create",
          "hr.employee.update",
          "hr.employee.offboard",
          "hr.remote.employee.read",
          "hr.remote.employee.create",
          "hr.remote.employee.update",
        ]),
    },
    {
      id: "admin-manages-access-and-devices",
      kind: "permit",
      holds:
        adminLike &&
        isOneOf([
          "it.access.grant",
          "it.access.revoke",
          "it.account.read",
          "it.device.assign",
          "it.device.return",
        ]),
    },
    {
      id: "admin-manages-facilities",
      kind: "permit",
      holds: adminLike && isOneOf(["facilities.booking.cancel", "facilities.ticket.update"]),
    },
    { id: "admin-issues-purchase-orders", kind: "permit", holds: adminLike && is("finance.purchase.order") },
    {
      id: "admin-calls-http-and-webhooks",
      kind: "permit",
      holds: adminLike && isOneOf(["http.get", "http.send", "webhook.send"]),
    },
    {
      id: "no-self-approval-time-off",
      kind: "forbid",
      holds: is("hr.timeoff.approve") && selfDealing(owner ?? ""),
    },
    {
      id: "no-self-approval-expense",
      kind: "forbid",
      holds: is("finance.expense.approve") && selfDealing(owner ?? ""),
    },
    {
      id: "no-self-approval-purchase",
      kind: "forbid",
      holds: is("finance.purchase.approve") && selfDealing(owner ?? ""),
    },
    {
      id: "large-expense-needs-approver",
      kind: "forbid",
      approval: "role:approver",
      holds: is("finance.expense.submit") && amount > LARGE_AMOUNT_CENTS,
    },
    {
      id: "large-purchase-needs-approver",
      kind: "forbid",
      approval: "role:approver",
      holds: is("finance.purchase.request") && amount > LARGE_AMOUNT_CENTS,
    },
    {
      id: "over-budget-expense-needs-approver",
      kind: "forbid",
      approval: "role:approver",
      holds: is("finance.expense.submit") && overBudget,
    },
    {
      id: "over-budget-purchase-needs-approver",
      kind: "forbid",
      approval: "role:approver",
      holds: is("finance.purchase.request") && overBudget,
    },
    {
      id: "people-changes-need-admin",
      kind: "forbid",
      approval: "role:admin",
      holds:
        userAnd(!adminLike) &&
        isOneOf([
          "hr.employee.create",
          "hr.employee.update",
          "hr.employee.offboard",
          "it.access.revoke",
          "it.device.assign",
          "it.device.return",
        ]),
    },
    {
      id: "own-access-needs-manager",
      kind: "forbid",
      approval: "manager",
      holds: is("it.access.grant") && selfDealing(owner ?? ""),
    },
    {
      id: "access-grant-needs-admin",
      kind: "forbid",
      approval: "role:admin",
      holds: is("it.access.grant") && !selfDealing(owner ?? ""),
    },
    {
      id: "destructive-needs-admin",
      kind: "forbid",
      approval: "role:admin",
      holds: context.effect === "destructive",
    },
  ];

  const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
  for (const grant of grants) {
    const live = !grant.revokedAt && grant.expiresAt.getTime() > loadedAt.getTime();
    const matchesResource =
      !grant.resource ||
      (grant.resource.type === resource.type &&
        (!("id" in grant.resource) || grant.resource.id === resource.id));
    rules.push({
      id: `grant-${grant.id}`,
      kind: "permit",
      holds:
        live &&
        principal.type === "Agent" &&
        principal.id === grant.agentId &&
        grant.actions.includes(action) &&
        matchesResource &&
        seconds(context.now) < seconds(grant.expiresAt),
    });
  }

  const ids = (rs: Rule[]) => rs.map((r) => r.id).sort();
  const permits = rules.filter((r) => r.holds && r.kind === "permit");
  const hard = rules.filter((r) => r.holds && r.kind === "forbid" && !r.approval);
  const given = context.approvals ?? [];
  const gates = rules.filter(
    (r) => r.holds && r.kind === "forbid" && r.approval && !given.includes(r.approval),
  );
  if (hard.length > 0) return { decision: "deny", reasons: ids(hard) };
  if (permits.length === 0) return { decision: "deny", reasons: ["default-deny"] };
  if (gates.length === 0) return { decision: "allow", reasons: ids(permits) };
  const approvers = [...new Set(gates.flatMap((r) => (r.approval ? [r.approval] : [])))].sort();
  return { decision: "require-approval", approvers, reasons: ids(gates) };
}

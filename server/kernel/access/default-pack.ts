/** Expenses and purchases above this amount need an approver's approval before they are filed. */
export const LARGE_AMOUNT_CENTS = 100_000;

/**
 * The policies a new tenant starts with; admins edit them from here. Rules are written for User
 * principals only (`principal is Tenet::User`): agents get nothing from the pack and act only
 * through grants (grants.ts), while the pack's forbids apply to everyone, agents included.
 * Owners count as admins wherever admins are named.
 */
export const DEFAULT_POLICY_PACK = `// Everyone files their own requests.
@id("file-own-time-off")
permit (principal is Tenet::User, action == Tenet::Action::"hr.timeoff.request", resource)
when { resource.requester == principal };

@id("request-own-app-access")
permit (principal is Tenet::User, action == Tenet::Action::"it.access.request", resource)
when { resource.user == principal };

// People changes (onboarding, offboarding, accounts, devices) anyone may carry out once approved: the
// gates below hold them until an admin (or, for your own app access, your manager) approves. Requests
// run them as the person who asked.
@id("people-changes-with-approval")
permit (
  principal is Tenet::User,
  action in [
    Tenet::Action::"hr.employee.create", Tenet::Action::"hr.employee.update", Tenet::Action::"hr.employee.offboard",
    Tenet::Action::"it.access.grant", Tenet::Action::"it.access.revoke",
    Tenet::Action::"it.device.assign", Tenet::Action::"it.device.return"
  ],
  resource
);

@id("book-spaces")
permit (
  principal is Tenet::User,
  action in [Tenet::Action::"facilities.room.book", Tenet::Action::"facilities.desk.book", Tenet::Action::"facilities.equipment.book"],
  resource
);

@id("cancel-own-booking")
permit (principal is Tenet::User, action == Tenet::Action::"facilities.booking.cancel", resource)
when { resource.booker == principal };

@id("register-own-visitors")
permit (principal is Tenet::User, action == Tenet::Action::"facilities.visitor.register", resource)
when { resource.host == principal };

@id("cancel-own-time-off")
permit (principal is Tenet::User, action == Tenet::Action::"hr.timeoff.cancel", resource)
when { resource.requester == principal };

@id("report-maintenance")
permit (principal is Tenet::User, action == Tenet::Action::"facilities.ticket.create", resource)
when { resource.reporter == principal };

@id("submit-own-expense")
permit (principal is Tenet::User, action == Tenet::Action::"finance.expense.submit", resource)
when { resource.submitter == principal };

@id("request-own-purchase")
permit (principal is Tenet::User, action == Tenet::Action::"finance.purchase.request", resource)
when { resource.requester == principal };

@id("read-own-employee-record")
permit (principal is Tenet::User, action == Tenet::Action::"hr.employee.read", resource)
when { resource.user == principal };

// Managers approve their reports' time off; admins approve anyone's.
@id("manager-approves-time-off")
permit (principal is Tenet::User, action == Tenet::Action::"hr.timeoff.approve", resource)
when { resource.requester has manager && resource.requester.manager == principal };

@id("admin-approves-time-off")
permit (principal is Tenet::User, action == Tenet::Action::"hr.timeoff.approve", resource)
when { principal in Tenet::Role::"owner" || principal in Tenet::Role::"admin" };

// Finance (the approver role) approves expenses and purchases.
@id("approver-approves-expenses")
permit (principal in Tenet::Role::"approver", action == Tenet::Action::"finance.expense.approve", resource);

@id("approver-approves-purchases")
permit (principal in Tenet::Role::"approver", action == Tenet::Action::"finance.purchase.approve", resource);

// Admins manage people, access, devices, facilities, purchase orders and outbound integrations.
@id("admin-manages-employees")
permit (
  principal is Tenet::User,
  action in [
    Tenet::Action::"hr.employee.read", Tenet::Action::"hr.employee.create", Tenet::Action::"hr.employee.update",
    Tenet::Action::"hr.employee.offboard", Tenet::Action::"hr.remote.employee.read",
    Tenet::Action::"hr.remote.employee.create", Tenet::Action::"hr.remote.employee.update"
  ],
  resource
)
when { principal in Tenet::Role::"owner" || principal in Tenet::Role::"admin" };

@id("admin-manages-access-and-devices")
permit (
  principal is Tenet::User,
  action in [
    Tenet::Action::"it.access.grant", Tenet::Action::"it.access.revoke", Tenet::Action::"it.account.read",
    Tenet::Action::"it.device.assign", Tenet::Action::"it.device.return"
  ],
  resource
)
when { principal in Tenet::Role::"owner" || principal in Tenet::Role::"admin" };

@id("admin-manages-facilities")
permit (
  principal is Tenet::User,
  action in [Tenet::Action::"facilities.booking.cancel", Tenet::Action::"facilities.ticket.update"],
  resource
)
when { principal in Tenet::Role::"owner" || principal in Tenet::Role::"admin" };

@id("admin-issues-purchase-orders")
permit (principal is Tenet::User, action == Tenet::Action::"finance.purchase.order", resource)
when { principal in Tenet::Role::"owner" || principal in Tenet::Role::"admin" };

@id("admin-calls-http-and-webhooks")
permit (
  principal is Tenet::User,
  action in [Tenet::Action::"http.get", Tenet::Action::"http.send", Tenet::Action::"webhook.send"],
  resource
)
when { principal in Tenet::Role::"owner" || principal in Tenet::Role::"admin" };

// Nobody approves their own request, directly or through an agent acting for them.
@id("no-self-approval-time-off")
forbid (principal, action == Tenet::Action::"hr.timeoff.approve", resource)
when { resource.requester == principal || (principal is Tenet::Agent && resource.requester == principal.actingFor) };

@id("no-self-approval-expense")
forbid (principal, action == Tenet::Action::"finance.expense.approve", resource)
when { resource.submitter == principal || (principal is Tenet::Agent && resource.submitter == principal.actingFor) };

@id("no-self-approval-purchase")
forbid (principal, action == Tenet::Action::"finance.purchase.approve", resource)
when { resource.requester == principal || (principal is Tenet::Agent && resource.requester == principal.actingFor) };


// Approval gates (see approval.ts): these hold until the named approver approves.
@id("large-expense-needs-approver")
@approval("role:approver")
forbid (principal, action == Tenet::Action::"finance.expense.submit", resource)
when { resource.amountCents > ${LARGE_AMOUNT_CENTS} }
unless { context.approvals.contains("role:approver") };

@id("large-purchase-needs-approver")
@approval("role:approver")
forbid (principal, action == Tenet::Action::"finance.purchase.request", resource)
when { resource.amountCents > ${LARGE_AMOUNT_CENTS} }
unless { context.approvals.contains("role:approver") };

@id("over-budget-expense-needs-approver")
@approval("role:approver")
forbid (principal, action == Tenet::Action::"finance.expense.submit", resource)
when { resource has overBudget && resource.overBudget }
unless { context.approvals.contains("role:approver") };

@id("over-budget-purchase-needs-approver")
@approval("role:approver")
forbid (principal, action == Tenet::Action::"finance.purchase.request", resource)
when { resource has overBudget && resource.overBudget }
unless { context.approvals.contains("role:approver") };

@id("people-changes-need-admin")
@approval("role:admin")
forbid (
  principal,
  action in [
    Tenet::Action::"hr.employee.create", Tenet::Action::"hr.employee.update", Tenet::Action::"hr.employee.offboard",
    Tenet::Action::"it.access.revoke", Tenet::Action::"it.device.assign", Tenet::Action::"it.device.return"
  ],
  resource
)
when { principal is Tenet::User && !(principal in Tenet::Role::"owner" || principal in Tenet::Role::"admin") }
unless { context.approvals.contains("role:admin") };

// Your own access waits for your manager; access for anyone else for an admin (never the asker).
@id("own-access-needs-manager")
@approval("manager")
forbid (principal, action == Tenet::Action::"it.access.grant", resource)
when { resource.user == principal || (principal is Tenet::Agent && resource.user == principal.actingFor) }
unless { context.approvals.contains("manager") };

@id("access-grant-needs-admin")
@approval("role:admin")
forbid (principal, action == Tenet::Action::"it.access.grant", resource)
when { !(resource.user == principal || (principal is Tenet::Agent && resource.user == principal.actingFor)) }
unless { context.approvals.contains("role:admin") };

@id("destructive-needs-admin")
@approval("role:admin")
forbid (principal, action, resource)
when { context.effect == "destructive" }
unless { context.approvals.contains("role:admin") };
`;

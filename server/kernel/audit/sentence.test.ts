import { describe, expect, it } from "vitest";
import { describeAuditEntry, type DescribableEntry } from "./sentence";

const by = (over: Partial<DescribableEntry>): DescribableEntry => ({
  actorType: "user",
  actorLabel: "Acme Owner",
  onBehalfOfLabel: null,
  action: "x.y",
  resourceLabel: null,
  outcome: "succeeded",
  reasons: [],
  detail: {},
  ...over,
});

describe("describeAuditEntry", () => {
  it.each<[string, Partial<DescribableEntry>, string]>([
    [
      "policy.updated",
      { detail: { version: 3, summary: "Rooms need a manager", added: [], removed: [] } },
      "Acme Owner saved version 3 of the policies: Rooms need a manager",
    ],
    [
      "grant.created",
      {
        detail: {
          agent: "Room bot",
          scope: "book a room on any Room",
          expiresAt: "2026-12-01T09:30:00.000Z",
        },
      },
      "Acme Owner allowed Room bot to book a room on any Room until 2026-12-01 09:30 UTC",
    ],
    [
      "delegation.created",
      {
        detail: {
          from: "Maria",
          to: "Dana",
          reason: "reassigned",
          startsAt: "2026-12-01T09:30:00.000Z",
          endsAt: null,
        },
      },
      "Acme Owner let Dana approve in Maria's place (reassigned) from 2026-12-01 09:30 UTC until revoked",
    ],
    [
      "delegation.revoked",
      { detail: { from: "Maria", to: "Dana" } },
      "Acme Owner revoked Dana's delegation to approve for Maria",
    ],
    [
      "grant.revoked",
      { detail: { agent: "Room bot", scope: "book a room on any Room" } },
      "Acme Owner revoked Room bot's permission to book a room on any Room",
    ],
    [
      "grant.requested",
      {
        actorType: "agent",
        actorLabel: "Offboarder",
        onBehalfOfLabel: "Alice",
        outcome: "recorded",
        detail: { scope: "offboard an employee", durationMinutes: 120, reason: "Bob leaves" },
      },
      "Agent Offboarder (for Alice) asked for permission to offboard an employee for 2 hours: Bob leaves",
    ],
    [
      "grant.request_denied",
      {
        outcome: "rejected",
        detail: { agent: "Offboarder", scope: "offboard an employee", comment: "Not yet" },
      },
      "Acme Owner denied Offboarder's request to offboard an employee: Not yet",
    ],
    [
      "syscall.completed",
      { outcome: "failed", detail: { request: "book a room: Boardroom", error: "The room system is down" } },
      "Acme Owner's request to book a room: Boardroom failed: The room system is down",
    ],
    [
      "syscall.completed",
      { outcome: "succeeded", detail: { request: "book a room: Boardroom", replayed: true } },
      "Acme Owner's request to book a room: Boardroom had already been carried out; the earlier result was returned",
    ],
    [
      "syscall.completed",
      {
        actorType: "agent",
        actorLabel: "Room bot",
        onBehalfOfLabel: "Alice",
        outcome: "conflict",
        detail: {
          request: "book a room: Boardroom",
          error: "room:r-1@… is held by Bob",
          conflict: {
            resource: "room:r-1@2026-12-01T09:00:00.000Z/2026-12-01T10:00:00.000Z",
            heldBy: { syscallId: "s-1", label: "Bob" },
            escalatedTo: "role:admin",
          },
        },
      },
      "Agent Room bot (for Alice)'s request to book a room: Boardroom was not carried out: room:r-1@2026-12-01T09:00:00.000Z/2026-12-01T10:00:00.000Z is held by Bob; referred to an admin",
    ],
    [
      "syscall.completed",
      {
        outcome: "succeeded",
        detail: { request: "book a room: Boardroom", description: "Book Boardroom on 1 Dec, 09:00–10:00" },
      },
      "Acme Owner's request to book a room: Boardroom was carried out: Book Boardroom on 1 Dec, 09:00–10:00",
    ],
    [
      "syscall.previewed",
      {
        outcome: "approval_required",
        reasons: ["large-purchase-needs-approver"],
        detail: {
          request: "request a purchase: Laptops",
          description: "Order 12 laptops from Contoso for 18,000.00 EUR",
          changes: 2,
          decision: "require-approval",
          approver: "an approver",
        },
      },
      "Acme Owner previewed a request to request a purchase: Laptops (Order 12 laptops from Contoso for 18,000.00 EUR; 2 changes): it would need approval by an approver under policy large-purchase-needs-approver",
    ],
    [
      "connection.tested",
      {
        outcome: "succeeded",
        detail: { connector: "hris-rest", name: "Workday", message: "Signed in as tenet-sync" },
      },
      "Acme Owner tested the hris-rest connection Workday: it works (Signed in as tenet-sync)",
    ],
    [
      "connection.tested",
      { outcome: "failed", detail: { connector: "hris-rest", name: "Workday", message: "401 Unauthorized" } },
      "Acme Owner tested the hris-rest connection Workday: it does not work (401 Unauthorized)",
    ],
    [
      "connection.created",
      { resourceLabel: "Workday", detail: { connector: "hris-rest", name: "Workday", hint: "••••3f9a" } },
      "Acme Owner added the hris-rest connection Workday (credentials ••••3f9a)",
    ],
    [
      "connection.credentials_rotated",
      { detail: { connector: "hris-rest", name: "Workday", from: "••••3f9a", to: "••••77c1" } },
      "Acme Owner replaced the credentials of the hris-rest connection Workday (••••3f9a → ••••77c1)",
    ],
    [
      "connection.deleted",
      { detail: { connector: "hris-rest", name: "Workday", hint: "••••77c1" } },
      "Acme Owner deleted the hris-rest connection Workday",
    ],
    [
      "connection.reencrypted",
      {
        actorType: "system",
        actorLabel: "Credentials key rotation",
        detail: { count: 3, from: ["k1"], to: "k2" },
      },
      "Credentials key rotation re-encrypted the credentials of 3 connections under key k2 (from k1)",
    ],
    [
      "ledger.entry_posted",
      {
        resourceLabel: "Office rent",
        detail: { lines: 2, totalCents: "123456789", currency: "USD", source: "expense:e-1" },
      },
      'Acme Owner posted the journal entry "Office rent" (2 lines, 1,234,567.89 USD) for expense:e-1',
    ],
    [
      "ledger.entry_reversed",
      {
        resourceLabel: "Posted twice",
        detail: { reverses: "j-1", originalMemo: "Office rent", lines: 2, totalCents: "5", currency: "EUR" },
      },
      'Acme Owner reversed the journal entry "Office rent" (0.05 EUR): Posted twice',
    ],
    [
      "ledger.account_created",
      { detail: { code: "6100", name: "Rent", type: "expense", currency: "USD" } },
      "Acme Owner added the ledger account 6100 Rent (expense, USD)",
    ],
    [
      "ledger.cost_center_created",
      { detail: { code: "ENG", name: "Engineering", fiscalYear: 2026, annualBudgetCents: "5000000" } },
      "Acme Owner added the cost center ENG Engineering with a 2026 budget of 50,000.00",
    ],
    [
      "ledger.exported",
      { detail: { from: "2026-01-01", to: "2026-03-31", count: 1 } },
      "Acme Owner exported 1 ledger line from 2026-01-01 to 2026-03-31 as CSV",
    ],
    [
      "agent.registered",
      {
        resourceLabel: "Room bot",
        detail: { skill: "Facilities helper", version: "1.0.0", publisher: "Tenet Labs" },
      },
      "Acme Owner registered the agent Room bot (Facilities helper v1.0.0 by Tenet Labs)",
    ],
    [
      "member.role_changed",
      { resourceLabel: "Peter Gibbons", detail: { from: "employee", to: "approver" } },
      "Acme Owner changed Peter Gibbons's role from employee to approver",
    ],
    [
      "member.removed",
      { resourceLabel: "Peter Gibbons", detail: { role: "approver", email: "peter@initech.test" } },
      "Acme Owner removed Peter Gibbons (approver) from the tenant",
    ],
    [
      "invite.created",
      { resourceLabel: "bob@acme.test", detail: { email: "bob@acme.test", role: "employee" } },
      "Acme Owner invited bob@acme.test to join as employee",
    ],
    [
      "invite.revoked",
      { detail: { email: "bob@acme.test", role: "employee" } },
      "Acme Owner withdrew the invitation for bob@acme.test",
    ],
    [
      "invite.accepted",
      { actorLabel: "Bob", detail: { email: "bob@acme.test", role: "employee", accountCreated: true } },
      "Bob created an account, accepted the invitation for bob@acme.test and joined as employee",
    ],
    [
      "invite.accepted",
      { actorLabel: "Bob", detail: { email: "bob@acme.test", role: "admin", accountCreated: false } },
      "Bob accepted the invitation for bob@acme.test and joined as admin",
    ],
    [
      "tenant.created",
      { detail: { name: "Acme", slug: "acme" } },
      "Acme Owner created the tenant Acme (acme)",
    ],
    [
      "tenant.renamed",
      { detail: { from: "Acme", to: "Acme Corp" } },
      "Acme Owner renamed the tenant from Acme to Acme Corp",
    ],
    ["auth.signed_in", { detail: { ip: "10.0.0.7" } }, "Acme Owner signed in from 10.0.0.7"],
    ["auth.signed_in", { detail: { ip: null } }, "Acme Owner signed in"],
    [
      "audit.exported",
      { detail: { format: "csv", count: 12 } },
      "Acme Owner exported 12 audit entries as CSV",
    ],
    ["audit.exported", { detail: { format: "json", count: 1 } }, "Acme Owner exported 1 audit entry as JSON"],
    [
      "audit.chain_verified",
      {
        actorType: "workflow",
        actorLabel: "Nightly audit check",
        detail: { checked: 1234, checkpoints: 12, headSeq: "1234", firstBad: null, runId: "01JRUN" },
      },
      "Workflow Nightly audit check verified the audit chain: 1,234 entries intact",
    ],
    [
      "audit.chain_verified",
      {
        actorType: "workflow",
        actorLabel: "Nightly audit check",
        outcome: "failed",
        detail: {
          checked: 16,
          checkpoints: 0,
          headSeq: "16",
          firstBad: {
            seq: "17",
            reason: "hash_mismatch",
            message: "entry 17 was changed after it was written",
          },
          runId: "01JRUN",
        },
      },
      "Workflow Nightly audit check found the audit chain broken at entry 17: entry 17 was changed after it was written (failed)",
    ],
    [
      "workflow.run_cancelled",
      { resourceLabel: "Send test event", detail: { function: "Send test event", runId: "01JRUN" } },
      "Acme Owner cancelled a run of Send test event (run 01JRUN)",
    ],
    [
      "workflow.run_rerun",
      { detail: { function: "Verify the audit chain", runId: "01JRUN", newRunId: "01JNEW" } },
      "Acme Owner reran Verify the audit chain (run 01JRUN) as run 01JNEW",
    ],
    [
      "kernel.pool_updated",
      {
        actorLabel: "Olivia Owner",
        resourceLabel: "Language model",
        // Stored detail comes back with its keys sorted; the sentence lists them in the page's order.
        detail: {
          pool: "Language model",
          changes: {
            concurrency: { from: 16, to: 8 },
            policy: { from: "fair_share", to: "fifo" },
          },
        },
      },
      "Olivia Owner changed Language model: policy fair_share → fifo, concurrency 16 → 8",
    ],
    [
      "kernel.pool_updated",
      {
        actorLabel: "Olivia Owner",
        detail: {
          pool: "Connector okta",
          changes: {
            defaultDeadlineMs: { from: 60000, to: 5000 },
            tenantRequestsPerMinute: { from: null, to: 600 },
            tokensPerMinute: { from: 1000000, to: null },
          },
        },
      },
      "Olivia Owner changed Connector okta: tokens per minute 1,000,000 → no limit, requests per minute per tenant no limit → 600, default deadline 60,000 ms → 5,000 ms",
    ],
    [
      "kernel.pool_weight_set",
      { actorLabel: "Olivia Owner", detail: { pool: "Language model", tenant: "Acme", from: 1, to: 2.5 } },
      "Olivia Owner set Acme's weight in Language model from 1 to 2.5",
    ],
  ])("%s", (action, over, sentence) => {
    expect(describeAuditEntry(by({ action, ...over }))).toBe(sentence);
  });

  // Details as the modules write them (server/hr, finance, facilities, it, webhooks, scim, connections).
  it.each<[string, Partial<DescribableEntry>, string]>([
    [
      "hr.employee_created",
      {
        resourceLabel: "Alice Smith",
        detail: { employeeNumber: "E-0042", email: "alice@acme.test", startDate: "2026-12-01" },
      },
      "Acme Owner added the employee Alice Smith (E-0042, alice@acme.test), starting 2026-12-01",
    ],
    [
      "hr.employee_updated",
      {
        resourceLabel: "Alice Smith",
        detail: {
          changes: {
            departmentId: { from: null, to: "5b0d6c1e-0000-4000-8000-000000000001" },
            title: { from: "Engineer", to: "Lead Engineer" },
          },
        },
      },
      "Acme Owner updated Alice Smith's record: title Engineer → Lead Engineer, department changed",
    ],
    [
      "hr.employee_terminated",
      {
        resourceLabel: "Bob Jones",
        detail: { endDate: "2026-12-31", reason: "Moving abroad", cancelledTimeOff: 2 },
      },
      "Acme Owner recorded that Bob Jones leaves on 2026-12-31: Moving abroad (2 time-off requests cancelled)",
    ],
    [
      "hr.department_created",
      { resourceLabel: "Engineering", detail: {} },
      "Acme Owner added the department Engineering",
    ],
    [
      "hr.time_off_policy_created",
      {
        resourceLabel: "Vacation",
        detail: { kind: "vacation", accrualDaysPerYear: 25, maxCarryoverDays: 5 },
      },
      "Acme Owner added the time-off policy Vacation (vacation, 25 days a year, up to 5 days carried over)",
    ],
    [
      "hr.time_off_entitlement_set",
      {
        resourceLabel: "Alice Smith",
        detail: { policy: "Vacation", year: 2026, entitledDays: 27.5, carryoverDays: 0 },
      },
      "Acme Owner set Alice Smith's 2026 Vacation entitlement to 27.5 days",
    ],
    [
      "hr.time_off_requested",
      { resourceLabel: "Alice Smith, 2026-12-21–2026-12-24", detail: { policy: "Vacation", days: 4 } },
      "Acme Owner requested time off: Alice Smith, 2026-12-21–2026-12-24 (4 days, Vacation)",
    ],
    [
      "hr.time_off_approved",
      { resourceLabel: "Alice Smith, 2026-12-21–2026-12-21", detail: { days: 1 } },
      "Acme Owner approved time off: Alice Smith, 2026-12-21–2026-12-21 (1 day)",
    ],
    [
      "hr.time_off_cancelled",
      { resourceLabel: "Alice Smith, 2026-12-21–2026-12-24", detail: { days: 3.5 } },
      "Acme Owner cancelled time off: Alice Smith, 2026-12-21–2026-12-24 (3.5 days)",
    ],
    [
      "hr.checklist_item_completed",
      { resourceLabel: "Return laptop", detail: { checklistId: "c-1", employeeId: "e-1" } },
      'Acme Owner completed the checklist item "Return laptop"',
    ],
    [
      "hr.employees_imported",
      {
        resourceLabel: "Employees",
        detail: { created: 3, updated: 2, unchanged: 10, terminated: 1, departmentsCreated: 1 },
      },
      "Acme Owner imported employees from CSV: 3 added, 2 updated, 10 unchanged, 1 left, 1 department added",
    ],
    ["hr.employees_exported", { detail: { count: 1 } }, "Acme Owner exported 1 employee as CSV"],
    [
      "finance.expense_created",
      {
        resourceLabel: "Expense 42.50 USD at Café Central",
        detail: { amountCents: "4250", currency: "USD", category: "meals" },
      },
      "Acme Owner recorded an expense of 42.50 USD at Café Central (meals)",
    ],
    [
      "finance.expense_submitted",
      {
        resourceLabel: "Expense 42.50 USD at Café Central",
        detail: { amountCents: "4250", currency: "USD", category: "meals", overBudget: true },
      },
      "Acme Owner submitted the expense of 42.50 USD at Café Central for approval (over budget)",
    ],
    [
      "finance.expense_rejected",
      {
        outcome: "rejected",
        resourceLabel: "Expense 42.50 USD at Café Central",
        detail: { amountCents: "4250", currency: "USD", category: "meals", reason: "No receipt" },
      },
      "Acme Owner rejected the expense of 42.50 USD at Café Central: No receipt",
    ],
    [
      "finance.receipt_uploaded",
      {
        resourceLabel: "Expense 42.50 USD at Café Central",
        detail: {
          receiptId: "r-1",
          fileName: "receipt.pdf",
          contentType: "application/pdf",
          sizeBytes: 123_456,
          sha256: "ab".repeat(32),
        },
      },
      "Acme Owner attached the receipt receipt.pdf (121 KB) to the expense of 42.50 USD at Café Central",
    ],
    [
      "finance.expenses_exported",
      { detail: { from: "2026-01-01", to: "2026-03-31", count: 7 } },
      "Acme Owner exported 7 expenses from 2026-01-01 to 2026-03-31 as CSV",
    ],
    [
      "finance.vendor_created",
      { resourceLabel: "Contoso", detail: { name: "Contoso", paymentTermsDays: 30 } },
      "Acme Owner added the vendor Contoso (payment terms 30 days)",
    ],
    [
      "finance.vendor_updated",
      { resourceLabel: "Contoso", detail: { paymentTermsDays: 45, taxId: null } },
      "Acme Owner updated the vendor Contoso: tax ID removed, payment terms now 45 days",
    ],
    [
      "finance.vendor_deactivated",
      { resourceLabel: "Contoso", detail: { active: false } },
      "Acme Owner deactivated the vendor Contoso",
    ],
    [
      "finance.purchase_requested",
      {
        resourceLabel: "Purchase 18,000.00 EUR from Contoso: 12 laptops",
        detail: {
          amountCents: "1800000",
          currency: "EUR",
          vendor: "Contoso",
          costCenter: "ENG",
          overBudget: false,
        },
      },
      'Acme Owner requested the purchase "12 laptops" (18,000.00 EUR from Contoso, cost center ENG)',
    ],
    [
      "finance.purchase_rejected",
      {
        outcome: "rejected",
        resourceLabel: "Purchase 18,000.00 EUR: 12 laptops",
        detail: { amountCents: "1800000", currency: "EUR", reason: "Wait for Q1" },
      },
      'Acme Owner rejected the purchase "12 laptops" (18,000.00 EUR): Wait for Q1',
    ],
    [
      "finance.purchase_ordered",
      {
        resourceLabel: "PO-2026-0007 Purchase 18,000.00 EUR from Contoso: 12 laptops",
        detail: {
          number: "PO-2026-0007",
          requestId: "p-1",
          amountCents: "1800000",
          currency: "EUR",
          vendor: "Contoso",
        },
      },
      'Acme Owner issued purchase order PO-2026-0007 for "12 laptops" to Contoso (18,000.00 EUR)',
    ],
    [
      "finance.purchase_received",
      {
        resourceLabel: "PO-2026-0007",
        detail: { journalEntryId: "j-1", amountCents: "1800000", currency: "EUR" },
      },
      "Acme Owner recorded the delivery of purchase order PO-2026-0007 (18,000.00 EUR) and posted it to the ledger",
    ],
    [
      "finance.purchase_order_cancelled",
      { resourceLabel: "PO-2026-0007", detail: { reason: "Supplier out of stock" } },
      "Acme Owner cancelled purchase order PO-2026-0007: Supplier out of stock",
    ],
    [
      "facilities.site_created",
      { resourceLabel: "Berlin HQ", detail: { timeZone: "Europe/Berlin" } },
      "Acme Owner added the site Berlin HQ (Europe/Berlin)",
    ],
    [
      "facilities.space_created",
      { resourceLabel: "Boardroom", detail: { kind: "room" } },
      "Acme Owner added the room Boardroom",
    ],
    [
      "facilities.space_updated",
      { resourceLabel: "Boardroom", detail: { bookable: false } },
      "Acme Owner changed the space Boardroom; it is not bookable",
    ],
    [
      "facilities.feed_token_rotated",
      { resourceLabel: "Boardroom", detail: {} },
      "Acme Owner replaced the calendar feed link of Boardroom; the old link no longer works",
    ],
    [
      "facilities.booking_created",
      {
        resourceLabel: "Boardroom: Stand-up",
        detail: {
          spaceId: "s-1",
          start: "2026-12-01T09:00:00.000Z",
          occurrences: 10,
          rrule: "FREQ=WEEKLY;COUNT=10",
        },
      },
      "Acme Owner booked Boardroom: Stand-up from 2026-12-01 09:00 UTC, repeating (10 occurrences)",
    ],
    [
      "facilities.booking_created",
      {
        resourceLabel: "Desk 4: ",
        detail: { spaceId: "s-2", start: "2026-12-01T08:00:00.000Z", occurrences: 1 },
      },
      "Acme Owner booked Desk 4 for 2026-12-01 08:00 UTC",
    ],
    [
      "facilities.occurrence_cancelled",
      { resourceLabel: "Boardroom: Stand-up", detail: { freed: 1, start: "2026-12-08T09:00:00.000Z" } },
      "Acme Owner cancelled the 2026-12-08 09:00 UTC occurrence of Boardroom: Stand-up",
    ],
    [
      "facilities.booking_cancelled",
      { resourceLabel: "Boardroom: Stand-up", detail: { freed: 9 } },
      "Acme Owner cancelled the booking Boardroom: Stand-up (9 occurrences)",
    ],
    [
      "facilities.ticket_created",
      {
        resourceLabel: "Leaking tap",
        detail: { priority: "high", slaDueAt: "2026-12-01T13:00:00.000Z" },
      },
      'Acme Owner reported the maintenance issue "Leaking tap" (high priority, due 2026-12-01 13:00 UTC)',
    ],
    [
      "facilities.ticket_updated",
      { resourceLabel: "Leaking tap", detail: { status: "open → in_progress", assigneeId: "u-7" } },
      'Acme Owner updated the maintenance ticket "Leaking tap": status open → in progress, reassigned',
    ],
    [
      "facilities.visitor_registered",
      { resourceLabel: "Jane Doe", detail: { expectedAt: "2026-12-01T10:30:00.000Z" } },
      "Acme Owner registered the visitor Jane Doe, expected 2026-12-01 10:30 UTC",
    ],
    [
      "facilities.visitor_checked_in",
      { resourceLabel: "Jane Doe", detail: { badgeNumber: "B-12" } },
      "Acme Owner checked in the visitor Jane Doe (badge B-12)",
    ],
    [
      "webhook.endpoint_created",
      { resourceLabel: "Stripe", detail: { name: "Stripe", event: "billing/invoice.paid" } },
      "Acme Owner created the inbound webhook endpoint Stripe for the event billing/invoice.paid",
    ],
    [
      "webhook.endpoint_secret_rotated",
      { resourceLabel: "Stripe", detail: { name: "Stripe", event: "billing/invoice.paid", graceHours: 24 } },
      "Acme Owner replaced the signing secret of the inbound webhook endpoint Stripe; the old one keeps working for 24 hours",
    ],
    [
      "webhook.subscription_created",
      {
        resourceLabel: "Ops",
        detail: {
          name: "Ops",
          targetHost: "hooks.example.com",
          events: "hr/employee.created, it/access.granted",
        },
      },
      "Acme Owner created the outbound webhook subscription Ops, sending hr/employee.created, it/access.granted to hooks.example.com",
    ],
    [
      "device.assigned",
      {
        resourceLabel: "LT-0042 (MacBook Pro 14)",
        detail: { assetTag: "LT-0042", kind: "laptop", model: "MacBook Pro 14", userId: "u-2", user: "Bob" },
      },
      "Acme Owner gave the laptop LT-0042 (MacBook Pro 14) to Bob",
    ],
    [
      "device.returned",
      {
        detail: {
          assetTag: "LT-0042",
          kind: "laptop",
          model: "MacBook Pro 14",
          userId: "u-2",
          user: "Bob",
          to: "repair",
        },
      },
      "Acme Owner recorded that Bob returned the laptop LT-0042 (MacBook Pro 14); it is now in repair",
    ],
    [
      "device.updated",
      { detail: { assetTag: "X-1", kind: "other", model: "Label printer", status: "retired" } },
      "Acme Owner updated the device X-1 (Label printer); it is now retired",
    ],
    ["device.exported", { detail: { count: 12 } }, "Acme Owner exported 12 devices as CSV"],
    [
      "it.access.requested",
      {
        resourceLabel: "Figma / Editor for Bob",
        detail: { app: "Figma", role: "Editor", userId: "u-2", reason: "Design reviews" },
      },
      "Acme Owner requested access to Figma / Editor for Bob: Design reviews",
    ],
    [
      "it.app.updated",
      {
        resourceLabel: "Figma",
        detail: {
          changed: {
            archived: { from: false, to: true },
            name: { from: "Figma (old)", to: "Figma" },
            ownerUserId: { from: "u-1", to: "u-2" },
          },
        },
      },
      "Acme Owner changed the app Figma in the access catalog: name Figma (old) → Figma, owner changed, archived",
    ],
    [
      "it.app_role.created",
      {
        resourceLabel: "Figma: Editor",
        detail: { appId: "a-1", scimGroup: "figma-editors", approverRole: "admin" },
      },
      "Acme Owner added the role Figma: Editor to the access catalog (SCIM group figma-editors, approved by an admin)",
    ],
    [
      "scim.user.created",
      {
        actorType: "system",
        actorLabel: "SCIM (identity provider)",
        resourceLabel: "alice@acme.test",
        detail: { scimUserId: "s-1", userName: "alice@acme.test", active: true, linked: "new user" },
      },
      "SCIM (identity provider) provisioned the user alice@acme.test (new user)",
    ],
    [
      "scim.user.patched",
      {
        actorType: "system",
        actorLabel: "SCIM (identity provider)",
        resourceLabel: "alice@acme.test",
        detail: { scimUserId: "s-1", changed: { active: { from: true, to: false } } },
      },
      "SCIM (identity provider) updated the user alice@acme.test: deactivated",
    ],
    [
      "scim.group.replaced",
      {
        actorType: "system",
        actorLabel: "SCIM (identity provider)",
        resourceLabel: "Engineering",
        detail: {
          displayName: { from: "Eng", to: "Engineering" },
          membersAdded: ["s-1", "s-2"],
          membersRemoved: ["s-3"],
        },
      },
      "SCIM (identity provider) replaced the group Engineering: renamed from Eng, 2 members added, 1 member removed",
    ],
    [
      "scim.token.rotated",
      { resourceLabel: "••••9f2c", detail: { revokedTokenId: "[redacted]" } },
      "Acme Owner replaced the SCIM token with ••••9f2c; the old one no longer works",
    ],
    [
      "connection.config_updated",
      {
        resourceLabel: "Workday",
        detail: {
          connector: "hris-rest",
          name: "Workday",
          from: { baseUrl: "https://a.example.com", pageSize: 100 },
          to: { baseUrl: "https://b.example.com", pageSize: 100, timeoutMs: 5000 },
        },
      },
      "Acme Owner changed the settings of the hris-rest connection Workday: baseUrl, timeoutMs",
    ],
  ])("%s", (action, over, sentence) => {
    expect(describeAuditEntry(by({ action, ...over }))).toBe(sentence);
  });

  it("syscall decisions name the agent, whom it acts for, the decision and the policies", () => {
    const agent = by({
      actorType: "agent",
      actorLabel: "Onboarding helper",
      onBehalfOfLabel: "Alice",
      action: "syscall.decided",
      detail: { request: "grant Figma to Bob", approver: "IT admin" },
      reasons: ["it-access-01"],
    });
    expect(describeAuditEntry({ ...agent, outcome: "approval_required" })).toBe(
      "Agent Onboarding helper (for Alice) asked to grant Figma to Bob: needed approval by IT admin under policy it-access-01",
    );
    expect(describeAuditEntry({ ...agent, outcome: "denied", reasons: ["it-access-02", "sod-01"] })).toBe(
      "Agent Onboarding helper (for Alice) asked to grant Figma to Bob: denied under policies it-access-02, sod-01",
    );
    expect(describeAuditEntry({ ...agent, outcome: "approved" })).toBe(
      "Agent Onboarding helper (for Alice) asked to grant Figma to Bob: approved by IT admin under policy it-access-01",
    );
    expect(
      describeAuditEntry({
        ...agent,
        actorType: "workflow",
        actorLabel: "Offboarding",
        onBehalfOfLabel: null,
        outcome: "allowed",
        reasons: [],
      }),
    ).toBe("Workflow Offboarding asked to grant Figma to Bob: allowed");
  });

  it("an allowed syscall names its approvers, a delegate with the member they approved for", () => {
    const approved = by({
      action: "syscall.decided",
      outcome: "allowed",
      reasons: ["book-spaces"],
      detail: {
        request: "book a room",
        approvals: [
          {
            approver: "manager",
            userId: "u-1",
            label: "Dana",
            delegationId: "d-1",
            delegator: { userId: "u-2", label: "Maria" },
          },
          { approver: "role:admin", userId: "u-3", label: "Ada" },
        ],
      },
    });
    expect(describeAuditEntry(approved)).toBe(
      "Acme Owner asked to book a room: allowed, approved by Dana (for Maria) and Ada under policy book-spaces",
    );
    // Entries written before approvers' names were recorded read as they always did.
    expect(
      describeAuditEntry({
        ...approved,
        detail: { request: "book a room", approvals: [{ approver: "manager", userId: "u-1" }] },
      }),
    ).toBe("Acme Owner asked to book a room: allowed under policy book-spaces");
  });

  it("says when a recorded domain action failed", () => {
    expect(
      describeAuditEntry(by({ action: "tenant.renamed", outcome: "failed", detail: { from: "A", to: "B" } })),
    ).toBe("Acme Owner renamed the tenant from A to B (failed)");
  });

  it("falls back to a general sentence for unknown actions or unexpected detail", () => {
    expect(
      describeAuditEntry(
        by({
          actorType: "system",
          actorLabel: "Tenet",
          action: "connector.synced",
          resourceLabel: "Okta",
          outcome: "failed",
        }),
      ),
    ).toBe("Tenet: connector.synced on Okta (failed)");
    expect(describeAuditEntry(by({ action: "member.role_changed", detail: { to: 3 } }))).toBe(
      "Acme Owner: member.role_changed (succeeded)",
    );
    expect(describeAuditEntry(by({ action: "toString", detail: null }))).toBe(
      "Acme Owner: toString (succeeded)",
    );
  });
});

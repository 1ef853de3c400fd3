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

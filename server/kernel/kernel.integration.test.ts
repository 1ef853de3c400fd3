/**
 * kernel.call end to end on a real database: authorize → execute → audit. The attacker/victim pairs
 * show that a denied syscall never reaches the connector and is audited as denied, while the same
 * call by someone entitled goes through.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { withTenant } from "@/server/db/scope";
import { createGrant, revokeGrant } from "@/server/kernel/access/grant-admin";
import { setAgentDisabled } from "@/server/kernel/access/agents";
import { savePolicies } from "@/server/kernel/access/policies";
import { DEFAULT_POLICY_PACK } from "@/server/kernel/access/default-pack";
import { AccessEvaluator } from "@/server/kernel/access/evaluator";
import { describeAuditEntry } from "@/server/kernel/audit/sentence";
import { verifyChain } from "@/server/kernel/audit/verify";
import {
  createTestAccess,
  createTestTenant,
  kernelDeps,
  testDb,
  type TestAccess,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { Kernel, type KernelContext, type Syscall } from "./kernel";
import { createToolRegistry, defineTool, type ToolActor } from "./tools/registry";

/** A connector that records what reaches it; what it returns is checked against its schema. */
const reached: { action: string; input: unknown; tenantId: string }[] = [];
/** Who each call and dry run of the room tool acted for, as the kernel told the connector. */
const actors: ToolActor[] = [];
const bookingInput = z.object({ roomId: z.string(), start: z.string(), end: z.string() });
const tools = createToolRegistry([
  defineTool({
    action: "facilities.room.book",
    connector: "test-facilities",
    effect: "write",
    input: bookingInput,
    output: z.object({ bookingId: z.string() }),
    timeoutMs: 2_000,
    dryRun: (_input, ctx) => {
      actors.push(ctx.actor);
      return Promise.resolve({ changes: [], warnings: [] });
    },
    run: (input, ctx) => {
      actors.push(ctx.actor);
      reached.push({ action: "facilities.room.book", input, tenantId: ctx.tenantId });
      if (input.roomId === "broken") return Promise.reject(new Error("The room system is down"));
      if (input.roomId === "slow") return new Promise<never>(() => {});
      if (input.roomId === "liar")
        return Promise.resolve({ bookingId: 42 } as unknown as { bookingId: string });
      return Promise.resolve({ bookingId: `b-${input.roomId}` });
    },
  }),
  defineTool({
    action: "hr.employee.offboard",
    connector: "test-hr",
    effect: "destructive",
    input: z.object({ employeeId: z.string() }),
    output: z.object({ offboarded: z.boolean() }),
    timeoutMs: 2_000,
    run: (input, ctx) => {
      reached.push({ action: "hr.employee.offboard", input, tenantId: ctx.tenantId });
      return Promise.resolve({ offboarded: true });
    },
  }),
  defineTool({
    action: "finance.expense.approve",
    connector: "test-finance",
    effect: "write",
    input: z.object({ expenseId: z.string() }),
    output: z.object({ approved: z.boolean() }),
    timeoutMs: 2_000,
    run: (input, ctx) => {
      reached.push({ action: "finance.expense.approve", input, tenantId: ctx.tenantId });
      return Promise.resolve({ approved: true });
    },
  }),
]);

/** Two kernels with their own policy caches stand for two app processes. */
const processA = new Kernel({ db: testDb, tools, evaluator: new AccessEvaluator(), ...kernelDeps() });
const processB = new Kernel({ db: testDb, tools, evaluator: new AccessEvaluator(), ...kernelDeps() });

let acme: TestTenant;
let globex: TestTenant;
let acmeAccess: TestAccess;
let globexAccess: TestAccess;
let employee: TestUser;
let admin: TestUser;
let approver: TestUser;

const bookRoom = (roomId = "r-1"): Syscall => ({
  action: "facilities.room.book",
  resource: { type: "Room", id: roomId, attrs: {} },
  resourceLabel: `Room ${roomId}`,
  input: { roomId, start: "2026-12-01T09:00:00Z", end: "2026-12-01T10:00:00Z" },
});
const offboard = (userId: string): Syscall => ({
  action: "hr.employee.offboard",
  resource: { type: "Employee", id: userId, attrs: { userId } },
  input: { employeeId: userId },
});
const approveExpense = (submitterId: string): Syscall => ({
  action: "finance.expense.approve",
  resource: { type: "Expense", id: "e-1", attrs: { submitterId, amountCents: 12_000 } },
  input: { expenseId: "e-1" },
});

const asUser = (tenant: TestTenant, user: TestUser): KernelContext => ({
  tenantId: tenant.id,
  principal: { type: "user", userId: user.userId },
});
const asAgent = (tenant: TestTenant, access: TestAccess, actingFor = access.actingFor): KernelContext => ({
  tenantId: tenant.id,
  principal: { type: "agent", agentId: access.agentId, actingForUserId: actingFor.userId, runId: "run-1" },
});

async function lastEntries(tenant: TestTenant, count: number) {
  const rows = await withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    tx.auditEntry.findMany({ where: { tenantId: tenant.id }, orderBy: { seq: "desc" }, take: count }),
  );
  return rows.reverse();
}

/** Runs `attempt`, and checks it was denied for `reasons`, never reached a connector, and was audited. */
async function expectDenied(
  tenant: TestTenant,
  attempt: () => Promise<Awaited<ReturnType<Kernel["call"]>>>,
  reasons: string[],
) {
  const before = reached.length;
  const result = await attempt();
  expect(result).toMatchObject({ status: "denied", reasons });
  expect(reached.length, "a denied syscall must not reach the connector").toBe(before);
  const [entry] = await lastEntries(tenant, 1);
  expect(entry).toMatchObject({ action: "syscall.decided", outcome: "denied", reasons });
  expect(entry?.detail).toMatchObject({ syscallId: result.syscallId });
  return result;
}

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  acmeAccess = await createTestAccess(testDb(), acme);
  globexAccess = await createTestAccess(testDb(), globex);
  employee = await acme.add("employee");
  admin = await acme.add("admin");
  approver = await acme.add("approver");
});

describe("kernel.call", () => {
  it("authorizes, executes through the connector, and audits both steps as readable sentences", async () => {
    const before = reached.length;
    const result = await processA.call(asUser(acme, employee), bookRoom("r-7"));
    expect(result).toEqual({
      status: "succeeded",
      syscallId: expect.any(String) as string,
      output: { bookingId: "b-r-7" },
      replayed: false,
      reasons: ["book-spaces"],
    });
    expect(reached.slice(before)).toEqual([
      { action: "facilities.room.book", input: bookRoom("r-7").input, tenantId: acme.id },
    ]);
    expect(actors.at(-1)).toEqual({ userId: employee.userId, agentId: null, label: "acme employee" });
    const [decided, completed] = await lastEntries(acme, 2);
    expect(decided).toMatchObject({
      action: "syscall.decided",
      outcome: "allowed",
      reasons: ["book-spaces"],
    });
    expect(completed).toMatchObject({ action: "syscall.completed", outcome: "succeeded" });
    expect(completed?.detail).toMatchObject({ syscallId: result.syscallId, output: { bookingId: "b-r-7" } });
    expect(describeAuditEntry({ ...decided!, detail: decided!.detail })).toBe(
      "acme employee asked to book a room: Room r-7: allowed under policy book-spaces",
    );
  });

  it("an agent acts only through a live grant, and says who it acted for", async () => {
    const result = await processA.call(asAgent(acme, acmeAccess), bookRoom("r-8"));
    expect(result.status).toBe("succeeded");
    // The connector acts for the person the agent acts for, and knows the agent: both as verified.
    const agentActor = {
      userId: acmeAccess.actingFor.userId,
      agentId: acmeAccess.agentId,
      label: "Agent acme helper (for acme employee)",
    };
    expect(actors.at(-1)).toEqual(agentActor);
    const [decided] = await lastEntries(acme, 2);
    expect(decided).toMatchObject({
      actorType: "agent",
      actorLabel: "acme helper",
      onBehalfOfId: acmeAccess.actingFor.userId,
      reasons: [`grant-${acmeAccess.grantId}`],
    });
    expect(decided?.detail).toMatchObject({
      skill: { name: "Facilities helper", version: "1.0.0" },
      runId: "run-1",
    });
    // A dry run for a preview acts for the same person.
    await processA.preview(asAgent(acme, acmeAccess), bookRoom("r-9"));
    expect(actors.at(-1)).toEqual(agentActor);
  });
});

describe("attacker/victim pairs: denied syscalls never reach the connector", () => {
  it("an agent without a grant for the action is denied by default; with one it proceeds", async () => {
    await expectDenied(
      acme,
      () => processA.call(asAgent(acme, acmeAccess), approveExpense(employee.userId)),
      ["default-deny"],
    );
    const grant = await acme.asOwner((ctx) =>
      createGrant(ctx, {
        agentId: acmeAccess.agentId,
        actions: ["finance.expense.approve"],
        resource: { type: "Expense", id: "e-1" },
        expiresAt: new Date(Date.now() + 3600_000),
        reason: "Approve one expense",
      }),
    );
    expect((await processA.call(asAgent(acme, acmeAccess), approveExpense(employee.userId))).status).toBe(
      "succeeded",
    );
    await acme.asOwner((ctx) => revokeGrant(ctx, { grantId: grant.id }));
  });

  it("a revocation in one process takes effect on the very next syscall in another", async () => {
    const grant = await acme.asOwner((ctx) =>
      createGrant(ctx, {
        agentId: acmeAccess.agentId,
        actions: ["facilities.room.book"],
        resource: { type: "Room", id: "r-9" },
        expiresAt: new Date(Date.now() + 3600_000),
        reason: "One room",
      }),
    );
    const agentOnR9 = () => processB.call(asAgent(acme, acmeAccess), bookRoom("r-9"));
    // Process B caches the tenant's set with the grant in it…
    expect((await agentOnR9()).status).toBe("succeeded");
    // …then an admin revokes the wide grant and the one-room grant through "process A".
    await acme.asOwner((ctx) => revokeGrant(ctx, { grantId: grant.id }));
    await acme.asOwner((ctx) => revokeGrant(ctx, { grantId: acmeAccess.grantId }));
    await expectDenied(acme, agentOnR9, ["default-deny"]);
  });

  it("an agent of another tenant, or acting for someone outside the tenant, is not resolved", async () => {
    await expectDenied(
      acme,
      () => processA.call({ ...asAgent(globex, globexAccess), tenantId: acme.id }, bookRoom()),
      ["unknown-agent"],
    );
    await expectDenied(acme, () => processA.call(asAgent(acme, acmeAccess, globex.owner), bookRoom()), [
      "unknown-user",
    ]);
    await expectDenied(
      acme,
      () => processA.call({ ...asUser(globex, globex.owner), tenantId: acme.id }, bookRoom()),
      ["unknown-user"],
    );
    // Victim control: Globex's own agent in Globex still works (its grant is intact).
    expect((await processA.call(asAgent(globex, globexAccess), bookRoom())).status).toBe("succeeded");
  });

  it("a disabled agent is denied until it is enabled again", async () => {
    const globexAgent = () => processA.call(asAgent(globex, globexAccess), bookRoom("r-2"));
    await globex.asOwner((ctx) => setAgentDisabled(ctx, { agentId: globexAccess.agentId, disabled: true }));
    await expectDenied(globex, globexAgent, ["agent-disabled"]);
    await globex.asOwner((ctx) => setAgentDisabled(ctx, { agentId: globexAccess.agentId, disabled: false }));
    expect((await globexAgent()).status).toBe("succeeded");
  });

  it("nobody approves their own expense, directly or through their agent, even with a grant", async () => {
    await expectDenied(acme, () => processA.call(asUser(acme, approver), approveExpense(approver.userId)), [
      "no-self-approval-expense",
    ]);
    const grant = await acme.asOwner((ctx) =>
      createGrant(ctx, {
        agentId: acmeAccess.agentId,
        actions: ["finance.expense.approve"],
        resource: null,
        expiresAt: new Date(Date.now() + 3600_000),
        reason: "Approve expenses",
      }),
    );
    await expectDenied(
      acme,
      () => processA.call(asAgent(acme, acmeAccess), approveExpense(acmeAccess.actingFor.userId)),
      ["no-self-approval-expense"],
    );
    // Victim control: the approver approving a colleague's expense goes through.
    expect((await processA.call(asUser(acme, approver), approveExpense(employee.userId))).status).toBe(
      "succeeded",
    );
    await acme.asOwner((ctx) => revokeGrant(ctx, { grantId: grant.id }));
  });

  it("a destructive action waits for an admin's approval, and a forged approval is refused", async () => {
    const before = reached.length;
    const waiting = await processA.call(asUser(acme, admin), offboard(employee.userId));
    expect(waiting).toMatchObject({
      status: "approval_required",
      approvers: ["role:admin"],
      reasons: ["destructive-needs-admin"],
    });
    expect(reached.length).toBe(before);
    const [entry] = await lastEntries(acme, 1);
    expect(describeAuditEntry({ ...entry!, detail: entry!.detail })).toBe(
      "acme admin asked to offboard an employee: needed approval by an admin under policy destructive-needs-admin",
    );

    // Approving your own request, or approving in a role you do not hold, counts for nothing.
    await expectDenied(
      acme,
      () =>
        processA.call(asUser(acme, admin), {
          ...offboard(employee.userId),
          approvals: [{ approver: "role:admin", userId: admin.userId }],
        }),
      ["invalid-approval"],
    );
    await expectDenied(
      acme,
      () =>
        processA.call(asUser(acme, admin), {
          ...offboard(employee.userId),
          approvals: [{ approver: "role:admin", userId: approver.userId }],
        }),
      ["invalid-approval"],
    );
    // Victim control: the owner's approval (owners count as admins) lets it through.
    const approved = await processA.call(asUser(acme, admin), {
      ...offboard(employee.userId),
      approvals: [{ approver: "role:admin", userId: acme.owner.userId }],
    });
    expect(approved).toMatchObject({ status: "succeeded", output: { offboarded: true } });
  });

  it("a policy saved in one process applies to the next syscall in another", async () => {
    const bookInB = () => processB.call(asUser(acme, employee), bookRoom("r-3"));
    expect((await bookInB()).status).toBe("succeeded");
    const current = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      tx.policyVersion.findFirstOrThrow({ where: { tenantId: acme.id }, orderBy: { version: "desc" } }),
    );
    const noRooms = `${DEFAULT_POLICY_PACK}\n@id("rooms-closed")\nforbid (principal, action == Tenet::Action::"facilities.room.book", resource);\n`;
    await acme.asOwner((ctx) =>
      savePolicies(ctx, { text: noRooms, summary: "Close the rooms", baseVersion: current.version }),
    );
    await expectDenied(acme, bookInB, ["rooms-closed"]);
    await acme.asOwner((ctx) =>
      savePolicies(ctx, {
        text: DEFAULT_POLICY_PACK,
        summary: "Reopen the rooms",
        baseVersion: current.version + 1,
      }),
    );
    expect((await bookInB()).status).toBe("succeeded");
  });
});

describe("group commit", () => {
  it("concurrent syscalls share transactions, each decided and audited once; a bad one fails alone", async () => {
    const kernel = new Kernel({ db: testDb, tools, evaluator: new AccessEvaluator(), ...kernelDeps() });
    const [before] = await lastEntries(acme, 1);
    const calls = Array.from({ length: 50 }, (_, i) =>
      i === 25
        ? // A resource of the wrong type for the action: refused before anything is decided.
          kernel.authorize(asUser(acme, employee), { ...bookRoom(), action: "finance.expense.submit" })
        : kernel.authorize(
            asUser(acme, i % 2 ? employee : approver),
            i % 3 ? bookRoom(`r-${i}`) : approveExpense(approver.userId),
          ),
    );
    const settled = await Promise.allSettled(calls);
    expect(settled.filter((s) => s.status === "rejected")).toHaveLength(1);
    expect(settled[25]).toMatchObject({
      status: "rejected",
      reason: expect.objectContaining({
        message: expect.stringContaining("applies to Expense, not Room") as string,
      }) as unknown,
    });
    const ids = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value.syscallId] : []));
    expect(new Set(ids).size).toBe(49);

    const entries = await lastEntries(acme, 49);
    expect(entries[0]?.seq).toBe((before?.seq ?? 0n) + 1n);
    expect(
      new Set(entries.map((e) => z.object({ syscallId: z.string() }).parse(e.detail).syscallId)),
    ).toEqual(new Set(ids));
    const verified = await withTenant(testDb(), { tenantId: acme.id }, (tx) => verifyChain(tx, acme.id));
    expect(verified).toMatchObject({ ok: true });
  });
});

describe("the tool manager's checks", () => {
  it("a connector failure, a timeout and a bad output are failed syscalls, audited as failed", async () => {
    for (const [roomId, error] of [
      ["broken", "The room system is down"],
      ["slow", "did not finish within 2000 ms"],
      ["liar", "test-facilities returned"],
    ] as const) {
      const result = await processA.call(asUser(acme, employee), bookRoom(roomId));
      expect(result).toMatchObject({ status: "failed", error: expect.stringContaining(error) as string });
      const [completed] = await lastEntries(acme, 1);
      expect(completed).toMatchObject({ action: "syscall.completed", outcome: "failed" });
    }
  });

  it("input that does not match the action's schema never reaches the driver", async () => {
    const before = reached.length;
    const result = await processA.call(asUser(acme, employee), { ...bookRoom(), input: { roomId: 5 } });
    expect(result).toMatchObject({
      status: "failed",
      error: expect.stringContaining("Invalid input") as string,
    });
    expect(reached.length).toBe(before);
  });
});

/**
 * Policies and grants as admins manage them, through the API: versioned saves with positioned errors
 * and conflict detection, the what-if tester, grants and expansion requests.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { withTenant } from "@/server/db/scope";
import {
  callHttp,
  contextFor,
  createTestAccess,
  createTestTenant,
  testDb,
  type TestAccess,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { DEFAULT_POLICY_PACK } from "./default-pack";

let acme: TestTenant;
let globex: TestTenant;
let access: TestAccess;
let admin: TestUser;
let employee: TestUser;
let approver: TestUser;

const as = (user: TestUser, tenant = acme) => contextFor(testDb(), user.userId, tenant.slug);
const owner = () => contextFor(testDb(), acme.owner.userId, acme.slug);

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  access = await createTestAccess(testDb(), acme);
  admin = await acme.add("admin");
  employee = await acme.add("employee");
  approver = await acme.add("approver");
});

async function auditActions(tenant: TestTenant, count: number) {
  const rows = await withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    tx.auditEntry.findMany({ where: { tenantId: tenant.id }, orderBy: { seq: "desc" }, take: count }),
  );
  return rows.map((r) => r.action).reverse();
}

describe("policies", () => {
  it("a new tenant starts with the default pack as version 1", async () => {
    const res = await callHttp(owner(), "policy.current", undefined);
    expect(res.data).toMatchObject({
      version: 1,
      summary: "Default policy pack",
      author: null,
      text: DEFAULT_POLICY_PACK,
    });
    expect(
      z.object({ policies: z.array(z.looseObject({ id: z.string() })) }).parse(res.data).policies,
    ).toContainEqual(
      expect.objectContaining({ id: "destructive-needs-admin", effect: "forbid", approval: "role:admin" }),
    );
  });

  it("checks a draft with line and column, and refuses to save it, writing nothing", async () => {
    const draft = `${DEFAULT_POLICY_PACK}\n@id("rooms-for-managers")\npermit (principal, action == Tenet::Action::"facilities.room.bok", resource);\n`;
    const line = draft.split("\n").findIndex((l) => l.includes("room.bok")) + 1;
    const check = await callHttp(owner(), "policy.check", { text: draft });
    expect(check.data).toMatchObject({ ok: false, errors: [expect.objectContaining({ line })] });

    const save = await callHttp(owner(), "policy.save", { text: draft, summary: "Typo", baseVersion: 1 });
    expect(save.status).toBe(400);
    expect(save.error?.message).toMatch(new RegExp(`^Policy text, line ${line}, column \\d+: `));
    expect((await callHttp(owner(), "policy.history", undefined)).data).toHaveLength(1);
  });

  it("rejects policies that name another tenant's entities or unknown entity types", async () => {
    const foreign = `@id("globex-owner") permit (principal == Tenet::User::"${globex.id}/${globex.owner.userId}", action, resource);`;
    const check = await callHttp(owner(), "policy.check", { text: foreign });
    expect(check.data).toMatchObject({
      ok: false,
      errors: [
        expect.objectContaining({ message: expect.stringContaining("belongs to another tenant") as string }),
      ],
    });
    const unknownType = `@id("ships") permit (principal, action, resource is Tenet::Starship);`;
    const unknown = await callHttp(owner(), "policy.check", { text: unknownType });
    expect(unknown.data).toMatchObject({ ok: false, errors: [expect.objectContaining({ line: 1 })] });
    expect(JSON.stringify(unknown.data)).toContain("Starship");
  });

  it("saves versions, keeps history, and refuses a save based on an outdated version", async () => {
    const v2 = `${DEFAULT_POLICY_PACK}\n@id("no-weekend-rooms")\nforbid (principal is Tenet::Agent, action == Tenet::Action::"facilities.room.book", resource);\n`;
    const saved = await callHttp(as(admin), "policy.save", {
      text: v2,
      summary: "Agents stop booking rooms",
      baseVersion: 1,
    });
    expect(saved.data).toMatchObject({ version: 2, author: "acme admin" });

    const stale = await callHttp(owner(), "policy.save", {
      text: DEFAULT_POLICY_PACK,
      summary: "Revert",
      baseVersion: 1,
    });
    expect(stale.status).toBe(409);
    expect(stale.error?.message).toContain("Version 2 was saved after you opened version 1");

    const unchanged = await callHttp(owner(), "policy.save", { text: v2, summary: "Again", baseVersion: 2 });
    expect(unchanged.status).toBe(400);

    const history = await callHttp(owner(), "policy.history", undefined);
    expect(history.data).toMatchObject([
      { version: 2, summary: "Agents stop booking rooms", author: "acme admin" },
      { version: 1, summary: "Default policy pack", author: null },
    ]);
    expect((await callHttp(owner(), "policy.version", { version: 1 })).data).toMatchObject({
      text: DEFAULT_POLICY_PACK,
    });
    expect(await auditActions(acme, 1)).toEqual(["policy.updated"]);

    // Restore the pack so the other tests see the defaults.
    await callHttp(owner(), "policy.save", {
      text: DEFAULT_POLICY_PACK,
      summary: "Back to defaults",
      baseVersion: 2,
    });
  });

  it("concurrent saves from the same version: exactly one wins", async () => {
    const current = z
      .object({ version: z.number() })
      .parse((await callHttp(owner(), "policy.current", undefined)).data);
    const texts = [1, 2, 3].map((n) => `${DEFAULT_POLICY_PACK}\n// edit ${n}\n`);
    const results = await Promise.all(
      texts.map((text, n) =>
        callHttp(owner(), "policy.save", { text, summary: `Edit ${n}`, baseVersion: current.version }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });

  it("the what-if tester answers like the kernel, with reasons, for saved policies and for a draft", async () => {
    const whatIf = (input: object) => callHttp(owner(), "policy.whatIf", input);
    const ownExpense = await whatIf({
      principal: { type: "user", userId: approver.userId },
      action: "finance.expense.approve",
      resource: {},
    });
    expect(ownExpense.data).toMatchObject({
      decision: "deny",
      reasons: ["no-self-approval-expense"],
      effect: "write",
    });

    const large = {
      principal: { type: "user", userId: employee.userId },
      action: "finance.expense.submit",
      resource: { amountCents: 250_000 },
    };
    expect((await whatIf(large)).data).toMatchObject({
      decision: "require-approval",
      approvers: ["role:approver"],
      reasons: ["large-expense-needs-approver"],
    });
    expect((await whatIf({ ...large, approvals: ["role:approver"] })).data).toMatchObject({
      decision: "allow",
    });

    const agent = {
      principal: { type: "agent", agentId: access.agentId, actingForUserId: employee.userId },
      action: "hr.employee.read",
      resource: {},
    };
    expect((await whatIf(agent)).data).toMatchObject({ decision: "deny", reasons: ["default-deny"] });

    const draft = `${DEFAULT_POLICY_PACK}\n@id("agents-read-directory")\npermit (principal is Tenet::Agent, action == Tenet::Action::"hr.employee.read", resource);\n`;
    expect((await whatIf({ ...agent, draftText: draft })).data).toMatchObject({
      decision: "allow",
      reasons: ["agents-read-directory"],
      policiesVersion: "draft",
    });
    // The draft did not leak into the live decision.
    expect((await whatIf(agent)).data).toMatchObject({ decision: "deny" });
  });

  it("is for owners and admins only", async () => {
    for (const path of ["policy.current", "policy.history"])
      expect((await callHttp(as(employee), path, undefined)).status).toBe(403);
  });
});

describe("grants and expansion requests", () => {
  it("an admin approves a pending request: a grant starts now for the requested time, and it is audited", async () => {
    const pending = await callHttp(owner(), "grant.requests", { status: "pending" });
    expect(pending.data).toEqual([
      expect.objectContaining({
        id: access.requestId,
        status: "pending",
        describe: "offboard an employee",
        durationMinutes: 60,
      }),
    ]);
    const before = Date.now();
    const approved = await callHttp(as(admin), "grant.decide", {
      requestId: access.requestId,
      approve: true,
    });
    expect(approved.data).toMatchObject({ status: "approved", decidedBy: "acme admin" });
    const grantId = z.object({ grantId: z.uuid() }).parse(approved.data).grantId;
    const grants = z
      .array(z.object({ id: z.string(), expiresAt: z.date(), state: z.string() }))
      .parse((await callHttp(owner(), "grant.list", { state: "active" })).data);
    const grant = grants.find((g) => g.id === grantId);
    expect(grant?.state).toBe("active");
    expect(grant!.expiresAt.getTime() - before).toBeGreaterThanOrEqual(59 * 60_000);
    expect(await auditActions(acme, 1)).toEqual(["grant.request_approved"]);

    const again = await callHttp(owner(), "grant.decide", {
      requestId: access.requestId,
      approve: false,
      comment: "No",
    });
    expect(again.status).toBe(409);
  });

  it("the person an agent acts for cannot approve its request; denying needs a comment", async () => {
    const mine = await createTestAccess(testDb(), acme);
    // The agent acts for a new employee; make that person an admin to attempt self-approval.
    await callHttp(owner(), "member.changeRole", {
      membershipId: mine.actingFor.membershipId,
      role: "admin",
    });
    const self = await callHttp(as(mine.actingFor), "grant.decide", {
      requestId: mine.requestId,
      approve: true,
    });
    expect(self.status).toBe(403);
    const denied = await callHttp(owner(), "grant.decide", {
      requestId: mine.requestId,
      approve: false,
      comment: "Ask HR",
    });
    expect(denied.data).toMatchObject({ status: "denied", comment: "Ask HR", grantId: null });
    expect(await auditActions(acme, 1)).toEqual(["grant.request_denied"]);
  });

  it("grants are listed with their state, revoked at once, and revoking twice is a conflict", async () => {
    const created = await callHttp(owner(), "grant.create", {
      agentId: access.agentId,
      actions: ["facilities.room.book", "facilities.ticket.create"],
      expiresAt: new Date(Date.now() + 3600_000),
      reason: "Facilities week",
    });
    const { id } = z.object({ id: z.uuid() }).parse(created.data);
    expect(created.data).toMatchObject({
      state: "active",
      describe: "book a room, report a maintenance issue",
    });
    const mixed = await callHttp(owner(), "grant.create", {
      agentId: access.agentId,
      actions: ["facilities.room.book", "facilities.ticket.create"],
      resource: { type: "Room" },
      expiresAt: new Date(Date.now() + 3600_000),
      reason: "Mixed",
    });
    expect(mixed.status).toBe(400);
    expect(mixed.error?.message).toBe("Every action must apply to Room");

    expect((await callHttp(owner(), "grant.revoke", { grantId: id })).data).toMatchObject({
      state: "revoked",
      revokedBy: "acme owner",
    });
    expect((await callHttp(owner(), "grant.revoke", { grantId: id })).status).toBe(409);
    const all = z
      .array(z.object({ id: z.string(), state: z.string() }))
      .parse((await callHttp(owner(), "grant.list", { state: "all" })).data);
    expect(all.find((g) => g.id === id)?.state).toBe("revoked");
    const active = z
      .array(z.object({ id: z.string() }))
      .parse((await callHttp(owner(), "grant.list", { state: "active" })).data);
    expect(active.map((g) => g.id)).not.toContain(id);
  });

  it("agents are registered, listed with their grants, and disabled", async () => {
    const registered = await callHttp(owner(), "agent.register", {
      name: "Expense sorter",
      skillId: "expense-sorter",
      skillName: "Expense sorter",
      skillVersion: "2.1",
      publisher: "Initech",
    });
    const { id } = z.object({ id: z.uuid() }).parse(registered.data);
    const list = z.array(z.object({ id: z.string(), activeGrants: z.number(), disabled: z.boolean() }));
    expect(
      list.parse((await callHttp(owner(), "agent.list", undefined)).data).find((a) => a.id === id),
    ).toMatchObject({
      activeGrants: 0,
      disabled: false,
    });
    await callHttp(owner(), "agent.setDisabled", { agentId: id, disabled: true });
    expect(
      list.parse((await callHttp(owner(), "agent.list", undefined)).data).find((a) => a.id === id)?.disabled,
    ).toBe(true);
    const refused = await callHttp(owner(), "grant.create", {
      agentId: id,
      actions: ["facilities.room.book"],
      expiresAt: new Date(Date.now() + 3600_000),
      reason: "Should not work",
    });
    expect(refused.status).toBe(409);
  });
});

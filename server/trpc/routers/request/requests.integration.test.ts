/**
 * The request, approval, delegation and routing APIs over HTTP (tRPC's fetch adapter and the real
 * router): the catalog per viewer, bad and forbidden submissions writing nothing, who sees and cancels
 * a request, deciding from the inbox (one and in bulk), reassignment and approval rules for owners and
 * admins only, out-of-office delegations, and another tenant's ids. Requests waiting for approval are
 * written as their workflow leaves them (./testing.ts); running workflows is tested with them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { hire } from "@/server/hr/fixtures";
import {
  callAs,
  createTestTenant,
  expectOk,
  testDb,
  withOwner,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { bulkDecideOutput } from "../approval/bulk-decide.types";
import { decideOutput } from "../approval/decide.types";
import { inboxOutput } from "../approval/inbox.types";
import { createOutput } from "../delegation/create.types";
import { listOutput as delegationsOutput } from "../delegation/list.types";
import { listOutput as rulesOutput } from "../routing/list.types";
import { setOutput } from "../routing/set.types";
import { cancelOutput } from "./cancel.types";
import { catalogOutput } from "./catalog.types";
import { getOutput } from "./get.types";
import { mineOutput } from "./mine.types";
import { TEST_PLAN, waitingRequest } from "./testing";

const db = testDb();
let acme: TestTenant;
let globex: TestTenant;
let admin: TestUser;
let employee: TestUser;
let manager: TestUser;
let bystander: TestUser;
let globexEmployee: TestUser;

beforeAll(async () => {
  acme = await createTestTenant(db, "acme");
  globex = await createTestTenant(db, "globex");
  admin = await acme.add("admin");
  employee = await acme.add("employee");
  manager = await acme.add("approver");
  bystander = await acme.add("employee");
  globexEmployee = await globex.add("employee");
  const boss = await hire(acme, { givenName: "Maria", userId: manager.userId });
  await hire(acme, { givenName: "Bob", userId: employee.userId, managerId: boss.id });
});

/** What the request procedures could write in a tenant, read as the database owner. */
const written = (tenant: TestTenant) =>
  withOwner(async (c) => ({
    requests: (
      await c.query(
        `SELECT id, status, waiting_for, outcome FROM requests.request WHERE tenant_id = $1 ORDER BY id`,
        [tenant.id],
      )
    ).rows,
    tasks: (
      await c.query(
        `SELECT id, status, assignees FROM requests.approval_task WHERE tenant_id = $1 ORDER BY id`,
        [tenant.id],
      )
    ).rows,
    decisions: (
      await c.query(`SELECT id FROM requests.approval_decision WHERE tenant_id = $1 ORDER BY id`, [tenant.id])
    ).rows.length,
    audit: (await c.query(`SELECT seq FROM "AuditEntry" WHERE "tenantId" = $1`, [tenant.id])).rows.length,
  }));

describe("request.catalog", () => {
  it("offers managers-only types only to people with reports, owners and admins", async () => {
    const forEmployee = expectOk(await callAs(employee, acme, "request.catalog"), catalogOutput);
    const forManager = expectOk(await callAs(manager, acme, "request.catalog"), catalogOutput);
    const forAdmin = expectOk(await callAs(admin, acme, "request.catalog"), catalogOutput);
    const managersOnly = forEmployee.filter((e) => e.audience === "managers").map((e) => e.type);
    expect(managersOnly).toEqual(expect.arrayContaining(["onboarding", "offboarding"]));
    for (const e of forEmployee) expect(e.available, e.type).toBe(e.audience === "everyone");
    expect(forManager.every((e) => e.available)).toBe(true);
    expect(forAdmin.every((e) => e.available)).toBe(true);
    const offboarding = forManager.find((e) => e.type === "offboarding");
    expect(offboarding?.fields.map((f) => f.name)).toEqual(["employeeId", "lastDay", "reason"]);
    expect(offboarding?.fields[0]?.options?.map((o) => o.label)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Bob /)]),
    );
  });
});

describe("request.submit", () => {
  it("answers a form's bad input with the form's field errors and writes nothing", async () => {
    const before = await written(acme);
    const res = await callAs(employee, acme, "request.submit", {
      type: "time-off",
      input: { policyId: "vacation", startDate: "2026-06-10", endDate: "2026-06-01" },
    });
    expect(res.status).toBe(400);
    expect(res.error?.data.fieldErrors).toMatchObject({
      policyId: ["Choose a kind of time off"],
      endDate: ["End on or after the first day"],
    });
    expect(await written(acme)).toEqual(before);
  });

  it("refuses a managers-only type to a member without reports and writes nothing", async () => {
    const before = await written(acme);
    const res = await callAs(employee, acme, "request.submit", {
      type: "offboarding",
      input: { employeeId: "00000000-0000-4000-8000-000000000000", lastDay: "2026-12-31", reason: "Leaving" },
    });
    expect(res.status).toBe(403);
    expect(await written(acme)).toEqual(before);
  });
});

describe("request.get, mine and cancel", () => {
  it("shows a request to its requester, its approver and admins; to others and other tenants it is not found", async () => {
    const { requestId, taskId } = await waitingRequest(acme, employee, [manager]);
    const detail = expectOk(await callAs(employee, acme, "request.get", { requestId }), getOutput);
    expect(detail).toMatchObject({
      id: requestId,
      status: "waiting",
      requester: { id: employee.userId },
      plan: TEST_PLAN,
      canCancel: true,
    });
    expect(detail.tasks).toEqual([
      expect.objectContaining({
        id: taskId,
        status: "open",
        assignees: [expect.objectContaining({ userId: manager.userId })],
      }),
    ]);
    expect(detail.timeline.map((e) => e.kind)).toContain("request.submitted");
    expect(expectOk(await callAs(manager, acme, "request.get", { requestId }), getOutput).canCancel).toBe(
      false,
    );
    expect((await callAs(admin, acme, "request.get", { requestId })).status).toBe(200);
    expect((await callAs(bystander, acme, "request.get", { requestId })).status).toBe(404);
    expect((await callAs(globex.owner, globex, "request.get", { requestId })).status).toBe(404);
    const mine = expectOk(await callAs(employee, acme, "request.mine", { limit: 50 }), mineOutput);
    expect(mine.map((r) => r.id)).toContain(requestId);
    expect(expectOk(await callAs(bystander, acme, "request.mine"), mineOutput)).toEqual([]);
  });

  it("lets the requester cancel before the work starts; others get not found and nothing changes", async () => {
    const { requestId } = await waitingRequest(acme, employee, [manager]);
    const before = await written(acme);
    expect((await callAs(bystander, acme, "request.cancel", { requestId })).status).toBe(404);
    expect((await callAs(globex.owner, globex, "request.cancel", { requestId })).status).toBe(404);
    expect(await written(acme)).toEqual(before);
    const cancelled = expectOk(
      await callAs(employee, acme, "request.cancel", { requestId, reason: "Not needed any more" }),
      cancelOutput,
    );
    expect(cancelled).toMatchObject({
      status: "cancelled",
      outcome: expect.stringContaining("Not needed any more") as string,
    });
    const detail = expectOk(await callAs(employee, acme, "request.get", { requestId }), getOutput);
    expect(detail.tasks[0]?.status).toBe("cancelled");
    expect(detail.canCancel).toBe(false);
    expect((await callAs(employee, acme, "request.cancel", { requestId })).status).toBe(409);
  });
});

describe("approval.inbox, decide and bulkDecide", () => {
  it("puts a task in its approver's inbox with the plan and the reason, and nobody else's", async () => {
    const { requestId, taskId } = await waitingRequest(acme, employee, [manager]);
    const inbox = expectOk(await callAs(manager, acme, "approval.inbox"), inboxOutput);
    const item = inbox.find((i) => i.taskId === taskId);
    expect(item).toMatchObject({
      request: { id: requestId, requester: { id: employee.userId } },
      levelName: "Manager",
      approvals: 0,
      required: 1,
      plan: TEST_PLAN,
      forName: null,
    });
    expect(item?.reason).toBe("Design reviews");
    for (const other of [employee, bystander, admin])
      expect(
        expectOk(await callAs(other, acme, "approval.inbox"), inboxOutput).map((i) => i.taskId),
      ).not.toContain(taskId);
  });

  it("requires a comment to deny where the level asks for one, then records the denial", async () => {
    const { taskId } = await waitingRequest(acme, employee, [manager], { commentOnDeny: true });
    const before = await written(acme);
    const bare = await callAs(manager, acme, "approval.decide", { taskId, decision: "deny" });
    expect(bare.status).toBe(400);
    expect(bare.error?.data.fieldErrors?.comment?.[0]).toMatch(/Say why/);
    expect(await written(acme)).toEqual(before);
    const denied = expectOk(
      await callAs(manager, acme, "approval.decide", {
        taskId,
        decision: "deny",
        comment: "Use the team account",
      }),
      decideOutput,
    );
    expect(denied.taskStatus).toBe("rejected");
    expect((await callAs(manager, acme, "approval.decide", { taskId, decision: "approve" })).status).toBe(
      409,
    );
  });

  it("answers not found for someone else's approval and another tenant's", async () => {
    const { taskId } = await waitingRequest(acme, employee, [manager]);
    const before = await written(acme);
    for (const [user, tenant] of [
      [bystander, acme],
      [employee, acme],
      [globex.owner, globex],
      [globexEmployee, globex],
    ] as const)
      expect((await callAs(user, tenant, "approval.decide", { taskId, decision: "approve" })).status).toBe(
        404,
      );
    expect(await written(acme)).toEqual(before);
    const approved = expectOk(
      await callAs(manager, acme, "approval.decide", { taskId, decision: "approve" }),
      decideOutput,
    );
    expect(approved.taskStatus).toBe("approved");
  });

  it("approves in bulk only where the level allows it, each with its own answer", async () => {
    const one = await waitingRequest(acme, employee, [manager], { bulk: true });
    const alone = await waitingRequest(acme, employee, [manager], { bulk: false });
    const res = expectOk(
      await callAs(manager, acme, "approval.bulkDecide", {
        taskIds: [one.taskId, alone.taskId],
        decision: "approve",
      }),
      bulkDecideOutput,
    );
    expect(res.results).toEqual([
      { taskId: one.taskId, ok: true, message: null },
      { taskId: alone.taskId, ok: false, message: expect.stringMatching(/one at a time/) as string },
    ]);
  });
});

describe("approval.openTasks and reassign", () => {
  it("are for owners and admins only", async () => {
    const { taskId } = await waitingRequest(acme, employee, [manager]);
    const before = await written(acme);
    expect((await callAs(employee, acme, "approval.openTasks")).status).toBe(403);
    expect((await callAs(manager, acme, "approval.openTasks")).status).toBe(403);
    const move = { taskId, fromUserId: manager.userId, toUserId: bystander.userId };
    expect((await callAs(manager, acme, "approval.reassign", move)).status).toBe(403);
    expect((await callAs(employee, acme, "approval.reassign", move)).status).toBe(403);
    expect(await written(acme)).toEqual(before);
  });

  it("moves an approval to someone else, who then decides for the original approver", async () => {
    const { taskId } = await waitingRequest(acme, employee, [manager]);
    const open = expectOk(await callAs(admin, acme, "approval.openTasks"), inboxOutput);
    expect(open.map((i) => i.taskId)).toContain(taskId);
    const moved = await callAs(admin, acme, "approval.reassign", {
      taskId,
      fromUserId: manager.userId,
      toUserId: bystander.userId,
      note: "Maria is on a plane",
    });
    expect(moved.status).toBe(200);
    const inbox = expectOk(await callAs(bystander, acme, "approval.inbox"), inboxOutput);
    expect(inbox.find((i) => i.taskId === taskId)?.forName).toBe("acme approver");
    expect(
      expectOk(await callAs(manager, acme, "approval.inbox"), inboxOutput).map((i) => i.taskId),
    ).not.toContain(taskId);
    expect(
      expectOk(
        await callAs(bystander, acme, "approval.decide", { taskId, decision: "approve" }),
        decideOutput,
      ).taskStatus,
    ).toBe("approved");
  });
});

describe("routing.list and set", () => {
  it("lets owners and admins change and reset a type's levels; members are refused", async () => {
    expect((await callAs(employee, acme, "routing.list")).status).toBe(403);
    const levels = [{ name: "IT", approver: "role:admin", required: 2, bulk: false }];
    expect((await callAs(manager, acme, "routing.set", { type: "equipment", rule: { levels } })).status).toBe(
      403,
    );
    const defaults = expectOk(await callAs(admin, acme, "routing.list"), rulesOutput);
    expect(defaults.find((r) => r.type === "equipment")?.isDefault).toBe(true);
    const saved = expectOk(
      await callAs(admin, acme, "routing.set", { type: "equipment", rule: { levels } }),
      setOutput,
    );
    expect(saved).toMatchObject({ type: "equipment", isDefault: false });
    const after = expectOk(await callAs(acme.owner, acme, "routing.list"), rulesOutput).find(
      (r) => r.type === "equipment",
    );
    expect(after).toMatchObject({
      isDefault: false,
      rule: {
        levels: [{ name: "IT", approver: "role:admin", required: 2, bulk: false, commentOnDeny: false }],
      },
    });
    // Another tenant's rules are its own.
    expect(
      expectOk(await callAs(globex.owner, globex, "routing.list"), rulesOutput).find(
        (r) => r.type === "equipment",
      )?.isDefault,
    ).toBe(true);
    expect(
      expectOk(await callAs(admin, acme, "routing.set", { type: "equipment", rule: null }), setOutput)
        .isDefault,
    ).toBe(true);
    expect(
      expectOk(await callAs(admin, acme, "routing.list"), rulesOutput).find((r) => r.type === "equipment")
        ?.isDefault,
    ).toBe(true);
  });
});

describe("delegation.create, list and revoke", () => {
  it("lets a member hand their approvals to someone while away, and revoke it", async () => {
    const endsAt = new Date(Date.now() + 3 * 86_400_000);
    const created = expectOk(
      await callAs(manager, acme, "delegation.create", {
        toUserId: bystander.userId,
        endsAt,
        note: "Holiday",
      }),
      createOutput,
    );
    expect(created).toMatchObject({
      from: { id: manager.userId },
      to: { id: bystander.userId },
      reason: "out_of_office",
      state: "active",
    });
    const { taskId } = await waitingRequest(acme, employee, [manager]);
    expect(
      expectOk(await callAs(bystander, acme, "approval.inbox"), inboxOutput).find((i) => i.taskId === taskId)
        ?.forName,
    ).toBe("acme approver");
    const mine = expectOk(await callAs(manager, acme, "delegation.list", {}), delegationsOutput);
    expect(mine.map((d) => d.id)).toContain(created.id);
    expect((await callAs(employee, acme, "delegation.list", { all: true })).status).toBe(403);
    expect((await callAs(employee, acme, "delegation.revoke", { delegationId: created.id })).status).toBe(
      403,
    );
    expect(
      (await callAs(globex.owner, globex, "delegation.revoke", { delegationId: created.id })).status,
    ).toBe(404);
    const revoked = expectOk(
      await callAs(manager, acme, "delegation.revoke", { delegationId: created.id }),
      z.object({ state: z.string() }),
    );
    expect(revoked.state).toBe("revoked");
    expect(
      expectOk(await callAs(bystander, acme, "approval.inbox"), inboxOutput).map((i) => i.taskId),
    ).not.toContain(taskId);
  });

  it("refuses a delegate from another tenant as not found", async () => {
    const res = await callAs(manager, acme, "delegation.create", {
      toUserId: globexEmployee.userId,
      endsAt: new Date(Date.now() + 86_400_000),
    });
    expect(res.status).toBe(404);
  });
});

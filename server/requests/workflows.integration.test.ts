/**
 * Request workflows end to end on the real engine, the app's real functions (over HTTP), the kernel and
 * the built-in connectors, on a database of their own: each type's happy path, denial with a comment,
 * N-of-M, delegation, SLA escalation, cancellation, a connector error retried and failing visibly, a
 * booking conflict, mailed links (single use, only for their addressee), and other tenants' ids.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTimeOffPolicy, setEntitlement } from "@/server/hr/time-off";
import { createCostCenter } from "@/server/finance/ledger";
import { asMember, createTestSite } from "@/server/facilities/testing";
import { hire } from "@/server/hr/fixtures";
import { createDelegation } from "@/server/kernel/access/delegations";
import { sqlOf } from "@/server/db/sql";
import { withTenant } from "@/server/db/scope";
import { eventually } from "@/server/testing/eventually";
import { createTestTenant, type TestTenant, type TestUser } from "@/server/testing/fixtures";
import { startRequestHarness, type RequestHarness } from "./testing";
import type { RequestDetailView, RequestStatus, RequestType } from "./types";

let h: RequestHarness;
let acme: TestTenant;
let globex: TestTenant;
let boss: TestUser; // manager's manager
let manager: TestUser;
let bob: TestUser; // employee reporting to manager
let carol: TestUser; // another employee reporting to manager
let dana: TestUser; // a colleague (delegate)
let finance: TestUser; // approver role
let finance2: TestUser;
let globexAdmin: TestUser;
let room: string;
let policyId: string;
let costCenter: string;

const YEAR = new Date().getUTCFullYear() + 1;

beforeAll(async () => {
  h = await startRequestHarness();
  acme = await createTestTenant(h.db, "acme");
  globex = await createTestTenant(h.db, "globex");
  boss = await acme.add("employee");
  manager = await acme.add("employee");
  bob = await acme.add("employee");
  carol = await acme.add("employee");
  dana = await acme.add("employee");
  finance = await acme.add("approver");
  finance2 = await acme.add("approver");
  globexAdmin = await globex.add("admin");
  const bossRecord = await hire(acme, { email: boss.email, userId: boss.userId });
  const managerRecord = await hire(acme, {
    email: manager.email,
    userId: manager.userId,
    managerId: bossRecord.id,
  });
  const bobRecord = await hire(acme, { email: bob.email, userId: bob.userId, managerId: managerRecord.id });
  const carolRecord = await hire(acme, {
    email: carol.email,
    userId: carol.userId,
    managerId: managerRecord.id,
  });
  await hire(acme, { email: dana.email, userId: dana.userId, managerId: bossRecord.id });
  const policy = await acme.asOwner((ctx) =>
    createTimeOffPolicy(ctx, { name: "Vacation", kind: "vacation", accrualDaysPerYear: 25 }),
  );
  policyId = policy.id;
  await acme.asOwner((ctx) =>
    setEntitlement(ctx, { employeeId: bobRecord.id, policyId, year: YEAR, entitledDays: 25 }),
  );
  await acme.asOwner((ctx) =>
    setEntitlement(ctx, { employeeId: carolRecord.id, policyId, year: YEAR, entitledDays: 25 }),
  );
  room = (await createTestSite(acme)).spaces[0]?.id ?? "";
  costCenter = (
    await acme.asOwner((ctx) =>
      createCostCenter(ctx, {
        code: "OPS",
        name: "Operations",
        annualBudgetCents: 10_000_000n,
        fiscalYear: new Date().getUTCFullYear(),
      }),
    )
  ).id;
}, 180_000);

afterAll(async () => {
  await h?.close();
});

// ─── Helpers ─────────────────────────────────────────────────────────────────────────────────────

const scope = (tenant: TestTenant, user: TestUser) => ({
  tenantId: tenant.id,
  actor: { userId: user.userId, membershipId: user.membershipId, role: user.role },
});

const submit = (user: TestUser, type: RequestType, input: unknown, tenant = acme) =>
  h.app.requests.submitRequest(h.db, scope(tenant, user), h.deps, { type, input });

const detail = (user: TestUser, id: string, tenant = acme) =>
  asMember(h.db, tenant, user, (ctx) => h.app.requests.requestDetail(ctx, id));

const inbox = (user: TestUser, tenant = acme) =>
  asMember(h.db, tenant, user, (ctx) => h.app.approvals.inbox(ctx));

async function until(
  user: TestUser,
  id: string,
  statuses: RequestStatus[],
  timeoutMs = 30_000,
): Promise<RequestDetailView> {
  return eventually(
    () => detail(user, id),
    (d) => statuses.includes(d.status),
    { timeoutMs, what: `request ${id} to be ${statuses.join(" or ")}` },
  );
}

/** The open task of request `id` once `user` can see it in their inbox. */
async function taskFor(user: TestUser, id: string, tenant = acme) {
  const items = await eventually(
    () => inbox(user, tenant),
    (list) => list.some((i) => i.request.id === id),
    { what: `an approval of ${id} in ${user.email}'s inbox` },
  );
  const item = items.find((i) => i.request.id === id);
  if (!item) throw new Error("unreachable");
  return item;
}

const decide = (user: TestUser, taskId: string, decision: "approve" | "deny", comment?: string) =>
  h.app.approvals.decide(h.db, scope(acme, user), h.deps, {
    taskId,
    decision,
    ...(comment ? { comment } : {}),
  });

async function setRule(type: RequestType, rule: unknown) {
  const owner = acme.owner;
  await asMember(h.db, acme, owner, (ctx) =>
    h.app.routing.setRoutingRule(ctx, h.app.routing.setRoutingRuleInput.parse({ type, rule })),
  );
}

async function mailTo(email: string) {
  return withTenant(h.db, { tenantId: acme.id }, (tx) =>
    sqlOf(tx).query<{ subject: string; text_body: string; kind: string }>(
      `SELECT subject, text_body, kind FROM mail.outbox WHERE tenant_id = $1::uuid AND lower(to_address) = lower($2) ORDER BY created_at`,
      [acme.id, email],
    ),
  );
}

const linkIn = (text: string, word: "Approve" | "Deny") => {
  const token = new RegExp(`${word}: \\S+/approve/([A-Za-z0-9_-]{43})`).exec(text)?.[1];
  if (!token) throw new Error(`no ${word} link in: ${text}`);
  return token;
};

let hour = 8;
const slot = () => {
  hour += 1;
  const h2 = String(hour).padStart(2, "0");
  return { start: `${YEAR}-03-0${1 + (hour % 8)}T${h2}:00`, end: `${YEAR}-03-0${1 + (hour % 8)}T${h2}:30` };
};

// ─── Tests ───────────────────────────────────────────────────────────────────────────────────────

describe("a request without approvals", () => {
  it("books a room at once, with the kernel's decision and the result on its timeline and in the audit log", async () => {
    const made = await submit(bob, "room-booking", { spaceId: room, title: "1:1", ...slot() });
    expect(made.status).toBe("submitted");
    const done = await until(bob, made.id, ["done", "failed"]);
    expect(done.status, done.outcome ?? "").toBe("done");
    expect(done.plan?.map((p) => [p.action, p.effect, p.decision])).toEqual([
      ["facilities.room.book", "write", "allow"],
    ]);
    const kinds = done.timeline.map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "request.submitted",
        "kernel.decision",
        "plan.ready",
        "step.succeeded",
        "request.done",
      ]),
    );
    const audit = await withTenant(h.db, { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ action: string }>(
        `SELECT action FROM "AuditEntry" WHERE "tenantId" = $1::uuid AND "resourceId" = $2`,
        [acme.id, made.id],
      ),
    );
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["request.submitted", "request.done"]));
    await eventually(
      () => mailTo(bob.email),
      (m) => m.some((x) => x.kind === "request.done"),
      { what: "Bob's mail" },
    );
  });

  it("two people booking the same slot at once: one gets it, the other a clear conflict", async () => {
    const when = slot();
    const [a, b] = await Promise.all([
      submit(bob, "room-booking", { spaceId: room, title: "Bob's", ...when }),
      submit(carol, "room-booking", { spaceId: room, title: "Carol's", ...when }),
    ]);
    const ends = await Promise.all([
      until(bob, a.id, ["done", "failed"]),
      until(carol, b.id, ["done", "failed"]),
    ]);
    expect(ends.map((e) => e.status).sort()).toEqual(["done", "failed"]);
    const failed = ends.find((e) => e.status === "failed");
    expect(failed?.outcome).toMatch(/Conflict|already booked|taken|overlaps|not free/i);
    // A conflict is final: it is not retried.
    expect(failed?.timeline.filter((e) => e.kind === "step.failed").length ?? 0).toBeLessThanOrEqual(1);
  });

  it("refuses bad input with field errors and writes nothing", async () => {
    const before = await withTenant(h.db, { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ n: string }>(`SELECT count(*)::text AS n FROM requests.request`),
    );
    await expect(submit(bob, "room-booking", { spaceId: "nope", title: "" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      fields: expect.objectContaining({
        spaceId: expect.any(Array) as unknown,
        title: expect.any(Array) as unknown,
      }) as unknown,
    });
    await expect(submit(bob, "onboarding", {})).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const after = await withTenant(h.db, { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ n: string }>(`SELECT count(*)::text AS n FROM requests.request`),
    );
    expect(after).toEqual(before);
  });
});

describe("approvals", () => {
  it("time off: the manager approves in the inbox, HR records it with the manager's authority", async () => {
    const made = await submit(bob, "time-off", {
      policyId,
      startDate: `${YEAR}-05-04`,
      endDate: `${YEAR}-05-06`,
      reason: "Trip",
    });
    const item = await taskFor(manager, made.id);
    expect(item.levelName).toBe("Manager");
    expect(item.reason).toBe("Trip");
    expect(item.plan.map((p) => p.action)).toEqual(["hr.timeoff.request", "hr.timeoff.approve"]);
    const waiting = await detail(bob, made.id);
    expect(waiting.status).toBe("waiting");
    expect(waiting.waitingFor).toContain("Manager");
    // Nobody else may decide it, the requester least of all.
    await expect(decide(bob, item.taskId, "approve")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(decide(carol, item.taskId, "approve")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await decide(manager, item.taskId, "approve");
    const done = await until(bob, made.id, ["done", "failed"]);
    expect(done.status, done.outcome ?? "").toBe("done");
    const status = await withTenant(h.db, { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ status: string }>(
        `SELECT r.status::text FROM hr.time_off_request r JOIN hr.employee e ON e.id = r.employee_id WHERE e.user_id = $1::uuid`,
        [bob.userId],
      ),
    );
    expect(status.map((s) => s.status)).toEqual(["approved"]);
    await eventually(
      () => mailTo(manager.email),
      (m) => m.some((x) => x.kind === "approval.requested"),
      {
        what: "the manager's mail",
      },
    );
  });

  it("an expense over the threshold needs the manager, then finance; finance denies with a comment the employee sees", async () => {
    const made = await submit(bob, "expense", {
      date: `${new Date().getUTCFullYear()}-01-15`,
      merchant: "Hotel",
      amount: 2500,
      currency: "EUR",
      category: "lodging",
      costCenterId: costCenter,
      description: "Conference",
    });
    const first = await taskFor(manager, made.id);
    await decide(manager, first.taskId, "approve");
    const second = await taskFor(finance, made.id);
    expect(second.levelName).toBe("Finance");
    expect(second.commentOnDeny).toBe(true);
    await expect(decide(finance, second.taskId, "deny")).rejects.toMatchObject({
      code: "BAD_REQUEST",
      fields: { comment: [expect.stringContaining("Say why")] },
    });
    await decide(finance, second.taskId, "deny", "Over the hotel cap");
    const ended = await until(bob, made.id, ["rejected"]);
    expect(ended.outcome).toContain("Over the hotel cap");
    expect(ended.tasks.map((t) => t.status)).toEqual(["approved", "rejected"]);
    await eventually(
      () => mailTo(bob.email),
      (m) => m.some((x) => x.subject.includes("rejected")),
      {
        what: "the rejection mail",
      },
    );
  });

  it("N of M: a level needing two approvers waits for the second", async () => {
    await setRule("purchase", { levels: [{ name: "Finance", approver: "role:approver", required: 2 }] });
    const made = await submit(bob, "purchase", {
      vendorId: await vendor(),
      costCenterId: costCenter,
      description: "Chairs",
      amount: 300,
      currency: "EUR",
    });
    const item = await taskFor(finance, made.id);
    await decide(finance, item.taskId, "approve");
    expect((await detail(bob, made.id)).status).toBe("waiting");
    await decide(finance2, (await taskFor(finance2, made.id)).taskId, "approve");
    const done = await until(bob, made.id, ["done", "failed"]);
    expect(done.status, done.outcome ?? "").toBe("done");
  });

  it("delegation: with the manager out of office, their delegate approves", async () => {
    await asMember(h.db, acme, manager, (ctx) =>
      createDelegation(ctx, {
        toUserId: dana.userId,
        reason: "out_of_office",
        endsAt: new Date(Date.now() + 86_400_000),
      }),
    );
    const made = await submit(carol, "time-off", {
      policyId,
      startDate: `${YEAR}-06-01`,
      endDate: `${YEAR}-06-01`,
      reason: "",
    });
    const item = await taskFor(dana, made.id);
    expect(item.forName).toBe("acme employee");
    await decide(dana, item.taskId, "approve");
    const ended = await until(carol, made.id, ["done", "failed"]);
    expect(ended.status, ended.outcome ?? "").toBe("done");
    expect(ended.tasks[0]?.decisions[0]).toMatchObject({ userId: dana.userId, forName: "acme employee" });
    // Filing it in HR carried Dana's approval, which the kernel verified through the delegation.
    const decided = await withTenant(h.db, { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ detail: { approvals?: { userId: string; delegationId?: string }[] } }>(
        `SELECT detail FROM "AuditEntry" WHERE "tenantId" = $1::uuid AND action = 'syscall.decided'
            AND outcome = 'allowed' AND detail::text LIKE '%delegationId%' ORDER BY seq`,
        [acme.id],
      ),
    );
    expect(decided.flatMap((d) => d.detail.approvals ?? [])).toContainEqual(
      expect.objectContaining({ userId: dana.userId, delegationId: expect.any(String) as string }),
    );
  });

  it("SLA: with no decision in time the level escalates to the approver's manager, who decides", async () => {
    await setRule("equipment", {
      levels: [
        {
          name: "Manager",
          approver: "manager",
          sla: { remindAfter: "1s", decideAfter: "3s", onTimeout: "escalate" },
        },
      ],
    });
    const made = await submit(bob, "equipment", { kind: "laptop", reason: "New starter kit" });
    await eventually(
      () => detail(bob, made.id),
      (d) => d.timeline.some((e) => e.kind === "approval.escalated"),
      { timeoutMs: 30_000, what: "the escalation" },
    );
    const item = await taskFor(boss, made.id);
    expect(item.forName).toBeTruthy();
    const timeline = (await detail(bob, made.id)).timeline.map((e) => e.kind);
    expect(timeline).toEqual(expect.arrayContaining(["approval.reminded", "approval.escalated"]));
    await decide(boss, item.taskId, "deny", "Use the spare one");
    const ended = await until(bob, made.id, ["rejected"]);
    expect(ended.outcome).toContain("Use the spare one");
  });

  it("cancellation: the requester cancels while it waits; its approvals close", async () => {
    const made = await submit(bob, "time-off", {
      policyId,
      startDate: `${YEAR}-07-06`,
      endDate: `${YEAR}-07-07`,
      reason: "",
    });
    const item = await taskFor(manager, made.id);
    await h.app.requests.cancelRequest(h.db, scope(acme, bob), h.deps, {
      requestId: made.id,
      reason: "Plans changed",
    });
    const ended = await detail(bob, made.id);
    expect(ended.status).toBe("cancelled");
    expect(ended.tasks[0]?.status).toBe("cancelled");
    await expect(decide(manager, item.taskId, "approve")).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("a refusal by the system of record fails the request at once, without retrying", async () => {
    await setRule("equipment", { levels: [] });
    // IT has no tablets in stock. IT's approval is in the chain even though the rule has no levels:
    // the kernel's policies require an admin's approval for a device.
    const made = await submit(bob, "equipment", { kind: "tablet", reason: "Field work" });
    const it = await taskFor(acme.owner, made.id);
    expect(it.levelName).toBe("Admin (required)");
    await h.app.approvals.decide(h.db, scope(acme, acme.owner), h.deps, {
      taskId: it.taskId,
      decision: "approve",
    });
    const ended = await until(bob, made.id, ["failed", "done"]);
    expect(ended.status).toBe("failed");
    expect(ended.outcome).toMatch(/No tablet is in stock/);
    expect(ended.timeline.filter((e) => e.kind === "step.failed")).toHaveLength(1);
  });

  it("a connector error is retried, then the request fails visibly", async () => {
    const down = await listenDown();
    try {
      const roleId = await appRoleOn(down.url);
      const made = await submit(bob, "software-access", { roleId, reason: "Design reviews" });
      const item = await taskFor(manager, made.id);
      expect(item.plan[0]).toMatchObject({ action: "it.access.grant", effect: "write", reversible: true });
      await decide(manager, item.taskId, "approve");
      const ended = await until(bob, made.id, ["failed", "done"], 60_000);
      expect(ended.status).toBe("failed");
      expect(ended.timeline.filter((e) => e.kind === "step.failed").length).toBe(3);
      expect(ended.outcome).toMatch(/Failed after 3 attempts/);
      expect(down.hits()).toBeGreaterThanOrEqual(3);
    } finally {
      await down.close();
      await unlinkApps();
    }
  });
});

/** Apps whose SCIM server a test stopped. */
const downApps: string[] = [];

/** Takes stopped apps out of provisioning: offboarding deactivates accounts in every app Tenet provisions. */
async function unlinkApps() {
  const { updateApp } = await import("@/server/it/access-catalog");
  for (const appId of downApps.splice(0))
    await acme.asOwner((ctx) => updateApp(ctx, { appId, scimConnectionId: null, archived: true }));
}

/** A SCIM "app" that is down: every request gets a 503. */
async function listenDown() {
  const { createServer } = await import("node:http");
  let hits = 0;
  const server = createServer((_req, res) => {
    hits += 1;
    res
      .writeHead(503, { "content-type": "application/scim+json" })
      .end(JSON.stringify({ detail: "Down for maintenance" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/scim/v2`,
    host: `127.0.0.1:${port}`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An app of the access catalog provisioned through a SCIM connection at `baseUrl`; its role's id. */
async function appRoleOn(
  baseUrl: string,
  token = "t0ken-for-a-down-app",
  name = "Sketchpad",
): Promise<string> {
  const { createConnection } = await import("@/server/connections/connections");
  const { scimConfig, scimCredentials } = await import("@/connectors/scim/manifest");
  const { createApp, createAppRole } = await import("@/server/it/access-catalog");
  const connection = await acme.asOwner((ctx) =>
    createConnection(
      ctx,
      {
        connectorId: "scim",
        name: `Down ${Math.random().toString(36).slice(2, 8)}`,
        credentials: { token },
        config: { baseUrl, allowHosts: [new URL(baseUrl).host] },
      },
      { credentials: scimCredentials, config: scimConfig },
    ),
  );
  const app = await acme.asOwner((ctx) => createApp(ctx, { name, scimConnectionId: connection.id }));
  downApps.push(app.id);
  return (
    await acme.asOwner((ctx) => createAppRole(ctx, { appId: app.id, name: "Editor", scimGroup: "Editors" }))
  ).id;
}

describe("the other request types", () => {
  it("software access: the manager approves and the account is made in the app over SCIM", async () => {
    const { startScimTestServer } = await import("@/server/scim/test-server");
    const { generateScimToken } = await import("@/server/scim/tokens");
    const { ScimClient } = await import("@/connectors/scim/client");
    const { guardedFetch } = await import("@/connectors/http/fetch");
    const server = await startScimTestServer(h.db);
    try {
      // The "app" is another tenant's SCIM endpoint, as in the demo.
      const figma = await createTestTenant(h.db, "figma");
      const token = (await figma.asOwner(generateScimToken)).token;
      const app = new ScimClient({
        baseUrl: server.baseUrl(figma.slug),
        token,
        fetch: (url, init) => guardedFetch(url, init, { allowHosts: [server.host] }),
      });
      await app.createGroup({ displayName: "Editors" });
      const roleId = await appRoleOn(server.baseUrl(figma.slug), token, "Figma");
      const made = await submit(bob, "software-access", { roleId, reason: "Design reviews" });
      const item = await taskFor(manager, made.id);
      expect(item.plan[0]?.description).toContain(`Create account for ${bob.email} in Figma`);
      await decide(manager, item.taskId, "approve");
      const done = await until(bob, made.id, ["done", "failed"]);
      expect(done.status, done.outcome ?? "").toBe("done");
      const found = await app.listUsers({ filter: `userName eq "${bob.email}"` });
      expect(found.resources.map((u) => u.userName)).toEqual([bob.email]);
    } finally {
      await server.close();
      await unlinkApps();
    }
  });

  it("equipment: with the manager's and IT's approval, a laptop from stock is assigned", async () => {
    const { createDevice } = await import("@/server/it/devices");
    await acme.asOwner((ctx) =>
      createDevice(ctx, {
        assetTag: `LT-${Math.random().toString(36).slice(2, 8)}`,
        kind: "monitor",
        model: "Dell U27",
      }),
    );
    await setRule("equipment", {
      levels: [
        { name: "Manager", approver: "manager" },
        { name: "IT", approver: "role:admin" },
      ],
    });
    const made = await submit(carol, "equipment", { kind: "monitor", reason: "Second screen" });
    await decide(manager, (await taskFor(manager, made.id)).taskId, "approve");
    const it = await taskFor(acme.owner, made.id);
    expect(it.levelName).toBe("IT");
    await h.app.approvals.decide(h.db, scope(acme, acme.owner), h.deps, {
      taskId: it.taskId,
      decision: "approve",
    });
    const done = await until(carol, made.id, ["done", "failed"]);
    expect(done.status, done.outcome ?? "").toBe("done");
    const held = await withTenant(h.db, { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ kind: string }>(
        `SELECT d.kind::text FROM it.device_assignment a JOIN it.device d ON d.id = a.device_id
          WHERE a.user_id = $1::uuid AND a.returned_at IS NULL`,
        [carol.userId],
      ),
    );
    expect(held).toEqual([{ kind: "monitor" }]);
  });

  it("maintenance: a ticket is filed at once for the reporter", async () => {
    const made = await submit(bob, "maintenance", {
      spaceId: room,
      title: "Projector flickers",
      priority: "high",
    });
    const done = await until(bob, made.id, ["done", "failed"]);
    expect(done.status, done.outcome ?? "").toBe("done");
    expect(done.plan?.[0]).toMatchObject({ action: "facilities.ticket.create", decision: "allow" });
    const tickets = await withTenant(h.db, { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ title: string; priority: string }>(
        `SELECT title, priority FROM facilities.maintenance_ticket WHERE reporter_id = $1::uuid`,
        [bob.userId],
      ),
    );
    expect(tickets).toContainEqual({ title: "Projector flickers", priority: "high" });
  });

  it("a small expense: the manager's approval files it, and finance's posting is left to finance", async () => {
    const made = await submit(bob, "expense", {
      date: `${new Date().getUTCFullYear()}-01-16`,
      merchant: "Bakery",
      amount: 12.5,
      currency: "EUR",
      category: "meals",
      costCenterId: costCenter,
    });
    const item = await taskFor(manager, made.id);
    expect(item.plan.map((p) => [p.action, p.decision])).toEqual([
      ["finance.expense.submit", "allow"],
      ["finance.expense.approve", "skipped"],
    ]);
    await decide(manager, item.taskId, "approve");
    const done = await until(bob, made.id, ["done", "failed"]);
    expect(done.status, done.outcome ?? "").toBe("done");
    expect(done.tasks.map((t) => t.name)).toEqual(["Manager"]);
    const expenses = await withTenant(h.db, { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ status: string }>(
        `SELECT status::text FROM finance.expense WHERE submitter_id = $1::uuid AND merchant = 'Bakery'`,
        [bob.userId],
      ),
    );
    expect(expenses).toEqual([{ status: "submitted" }]);
  });

  it("onboarding: one plan (HR record, laptop, first-day desk) approved once by HR, carried out as the manager", async () => {
    const { createDevice } = await import("@/server/it/devices");
    const { createDepartment } = await import("@/server/hr/employees");
    await acme.asOwner((ctx) =>
      createDevice(ctx, {
        assetTag: `LT-${Math.random().toString(36).slice(2, 8)}`,
        kind: "laptop",
        model: "ThinkPad",
      }),
    );
    const department = await acme.asOwner((ctx) => createDepartment(ctx, { name: "Design" }));
    const desk =
      (await createTestSite(acme, "Europe/Berlin", [{ name: "Desk 7", kind: "desk" }])).spaces[0]?.id ?? "";
    const managerRecord = await withTenant(h.db, { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ id: string }>(`SELECT id::text FROM hr.employee WHERE user_id = $1::uuid`, [
        manager.userId,
      ]),
    );
    const made = await submit(manager, "onboarding", {
      givenName: "Nina",
      familyName: "Newcomer",
      email: `nina@${acme.slug}.test`,
      jobTitle: "Designer",
      departmentId: department.id,
      managerEmployeeId: managerRecord[0]?.id,
      startDate: `${YEAR}-09-01`,
      accessRoleIds: [],
      deviceKind: "laptop",
      deskId: desk,
    });
    const item = await taskFor(acme.owner, made.id);
    expect(item.levelName).toBe("HR");
    expect(item.plan.map((p) => p.action)).toEqual([
      "hr.employee.create",
      "it.device.assign",
      "facilities.desk.book",
    ]);
    await h.app.approvals.decide(h.db, scope(acme, acme.owner), h.deps, {
      taskId: item.taskId,
      decision: "approve",
    });
    const done = await until(manager, made.id, ["done", "failed"]);
    expect(done.status, done.outcome ?? "").toBe("done");
    const hired = await withTenant(h.db, { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ devices: string }>(
        `SELECT (SELECT count(*) FROM it.device_assignment a WHERE a.employee_id = e.id AND a.returned_at IS NULL)::text AS devices
           FROM hr.employee e WHERE e.work_email = $1`,
        [`nina@${acme.slug}.test`],
      ),
    );
    expect(hired).toEqual([{ devices: "1" }]);
  });

  it("offboarding: HR's approval closes the record and takes the devices back", async () => {
    const { createDevice, assignDevice } = await import("@/server/it/devices");
    const leaver = await acme.add("employee");
    const record = await hire(acme, { email: leaver.email, userId: leaver.userId });
    const device = await acme.asOwner((ctx) =>
      createDevice(ctx, {
        assetTag: `PH-${Math.random().toString(36).slice(2, 8)}`,
        kind: "phone",
        model: "Pixel",
      }),
    );
    await acme.asOwner((ctx) => assignDevice(ctx, { deviceId: device.id, userId: leaver.userId }));
    const made = await submit(acme.owner, "offboarding", {
      employeeId: record.id,
      lastDay: `${YEAR}-01-31`,
      reason: "Moving on",
    });
    // The requester is an admin, so another admin decides: Acme has only its owner as one.
    const admin = await acme.add("admin");
    const item = await taskFor(admin, made.id);
    expect(item.plan.map((p) => [p.action, p.effect])).toContainEqual([
      "hr.employee.offboard",
      "destructive",
    ]);
    await h.app.approvals.decide(h.db, scope(acme, admin), h.deps, {
      taskId: item.taskId,
      decision: "approve",
    });
    const done = await until(acme.owner, made.id, ["done", "failed"]);
    expect(done.status, done.outcome ?? "").toBe("done");
    const state = await withTenant(h.db, { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ status: string; device: string }>(
        `SELECT e.status::text, (SELECT d.status::text FROM it.device d WHERE d.id = $2::uuid) AS device
           FROM hr.employee e WHERE e.id = $1::uuid`,
        [record.id, device.id],
      ),
    );
    expect(state).toEqual([{ status: "terminated", device: "in_stock" }]);
  });
});

describe("mailed links and other tenants", () => {
  it("a link works once, only for its addressee, after confirmation", async () => {
    const made = await submit(carol, "expense", {
      date: `${new Date().getUTCFullYear()}-01-20`,
      merchant: "Taxi",
      amount: 40,
      currency: "EUR",
      category: "travel",
      costCenterId: costCenter,
    });
    await taskFor(manager, made.id);
    const mails = await eventually(
      () => mailTo(manager.email),
      (list) => list.some((m) => m.subject.includes("Taxi")),
      { what: "the approval mail" },
    );
    const token = linkIn(mails.filter((m) => m.subject.includes("Taxi")).at(-1)?.text_body ?? "", "Approve");
    // Someone else signed in sees nothing to act on; Globex's admin neither.
    expect((await h.app.approvals.previewLink(h.db, token, carol.userId)).state).toBe("unknown");
    expect((await h.app.approvals.previewLink(h.db, token, globexAdmin.userId)).state).toBe("unknown");
    await expect(h.app.approvals.decideByLink(h.db, h.deps, token, globexAdmin.userId)).rejects.toMatchObject(
      { code: "FORBIDDEN" },
    );
    const preview = await h.app.approvals.previewLink(h.db, token, manager.userId);
    expect(preview).toMatchObject({ state: "valid", decision: "approve" });
    await h.app.approvals.decideByLink(h.db, h.deps, token, manager.userId);
    await expect(h.app.approvals.decideByLink(h.db, h.deps, token, manager.userId)).rejects.toMatchObject({
      code: "CONFLICT",
    });
    const done = await until(carol, made.id, ["done", "failed"]);
    expect(done.status, done.outcome ?? "").toBe("done");
    expect(done.tasks[0]?.decisions[0]?.via).toBe("email");
  });

  it("a deny link where a comment is required asks for it without spending the link", async () => {
    const made = await submit(carol, "expense", {
      date: `${new Date().getUTCFullYear()}-01-21`,
      merchant: "Airline",
      amount: 1800,
      currency: "EUR",
      category: "travel",
      costCenterId: costCenter,
    });
    await decide(manager, (await taskFor(manager, made.id)).taskId, "approve");
    await taskFor(finance, made.id);
    const mails = await eventually(
      () => mailTo(finance.email),
      (list) => list.some((m) => m.subject.includes("Airline")),
      { what: "finance's approval mail" },
    );
    const token = linkIn(mails.filter((m) => m.subject.includes("Airline")).at(-1)?.text_body ?? "", "Deny");
    await expect(h.app.approvals.decideByLink(h.db, h.deps, token, finance.userId)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      fields: { comment: [expect.stringContaining("Say why") as string] },
    });
    expect((await h.app.approvals.previewLink(h.db, token, finance.userId)).state).toBe("valid");
    await h.app.approvals.decideByLink(h.db, h.deps, token, finance.userId, "Book economy");
    const ended = await until(carol, made.id, ["rejected"]);
    expect(ended.outcome).toContain("Book economy");
  });

  it("another tenant's admin cannot see or decide an Acme approval or request", async () => {
    const made = await submit(bob, "time-off", {
      policyId,
      startDate: `${YEAR}-08-03`,
      endDate: `${YEAR}-08-03`,
      reason: "",
    });
    const item = await taskFor(manager, made.id);
    expect(await inbox(globexAdmin, globex)).toEqual([]);
    await expect(
      h.app.approvals.decide(h.db, scope(globex, globexAdmin), h.deps, {
        taskId: item.taskId,
        decision: "approve",
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(detail(globexAdmin, made.id, globex)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      asMember(h.db, globex, globexAdmin, (ctx) => h.app.approvals.openTasks(ctx)),
    ).resolves.toEqual([]);
  });
});

let vendorId: string | undefined;
async function vendor(): Promise<string> {
  const { createVendor } = await import("@/server/finance/vendors");
  vendorId ??= (await acme.asOwner((ctx) => createVendor(ctx, { name: "Office Supply Co" }))).id;
  return vendorId;
}

/**
 * Tenant isolation at the API: for every procedure, a member of Globex aiming at Acme (by URL/header or
 * by Acme's ids) is refused with 404 and gets no data, while Acme's own owner still succeeds. The test
 * fails when a procedure is added without a case here.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createConnection } from "@/server/connections/connections";
import { createTestSite } from "@/server/facilities/testing";
import { hire } from "@/server/hr/fixtures";
import { createApp, createAppRole } from "@/server/it/access-catalog";
import { createDelegation } from "@/server/kernel/access/delegations";
import { generateScimToken } from "@/server/scim/tokens";
import { createInvite } from "@/server/tenancy/invites";
import { createInboundEndpoint } from "@/server/webhooks/endpoints";
import { createOutboundSubscription } from "@/server/webhooks/subscriptions";
import { waitingRequest } from "./routers/request/testing";
import {
  callHttp,
  contextFor,
  createTestAccess,
  createTestTenant,
  procedureTypes,
  testDb,
  withOwner,
  type TestAccess,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";

let acme: TestTenant;
let globex: TestTenant;
let acmeEmployee: TestUser;
let acmeInviteId: string;
let acmeInviteToken: string;
let acmeAccess: TestAccess;
let acmeConnectionId: string;
let acmeEmployeeRecordId: string;
let acmeSiteId: string;
let acmeSpaceId: string;
let acmeEndpointId: string;
let acmeSubscriptionId: string;
let acmeApprover: TestUser;
let acmeRequestId: string;
let acmeTaskId: string;
let acmeDelegationId: string;
let acmeAppId: string;
let acmeAppRoleId: string;

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  acmeEmployee = await acme.add("employee");
  acmeAccess = await createTestAccess(testDb(), acme);
  const invite = await acme.asOwner((ctx) =>
    createInvite(ctx, { email: "newcomer@acme-isolation.test", role: "employee" }),
  );
  acmeInviteId = invite.id;
  acmeInviteToken = invite.url.split("/invite/")[1] ?? "";
  // Made with a schema of its own, whichever connectors are installed.
  const connection = await acme.asOwner((ctx) =>
    createConnection(
      ctx,
      { connectorId: "isolation-test", name: "Acme's", credentials: { apiKey: "sk-isolation-0000000000" } },
      z.object({ apiKey: z.string() }),
    ),
  );
  acmeConnectionId = connection.id;
  acmeEmployeeRecordId = (await hire(acme, { givenName: "Isolated", title: "Head of Secrets" })).id;
  await acme.asOwner((ctx) => generateScimToken(ctx));
  const facilities = await createTestSite(acme);
  acmeSiteId = facilities.site.id;
  acmeSpaceId = facilities.spaces[0]?.id ?? "";
  acmeEndpointId = (
    await acme.asOwner((ctx) => createInboundEndpoint(ctx, { name: "Acme's", event: "acme/order.paid" }))
  ).endpoint.id;
  acmeSubscriptionId = (
    await acme.asOwner((ctx) =>
      createOutboundSubscription(
        ctx,
        { name: "Acme's", targetUrl: "https://hooks.example.com/in", events: ["*"], allowHosts: [] },
        { lookup: () => Promise.resolve([{ address: "93.184.216.34", family: 4 }]) },
      ),
    )
  ).subscription.id;
  acmeApprover = await acme.add("approver");
  ({ requestId: acmeRequestId, taskId: acmeTaskId } = await waitingRequest(acme, acmeEmployee, [
    acmeApprover,
  ]));
  acmeDelegationId = (
    await acme.asOwner((ctx) =>
      createDelegation(ctx, {
        fromUserId: acmeApprover.userId,
        toUserId: acme.owner.userId,
        reason: "out_of_office",
        endsAt: new Date(Date.now() + 7 * 24 * 3600_000),
      }),
    )
  ).id;
  acmeAppId = (await acme.asOwner((ctx) => createApp(ctx, { name: "Acme's app" }))).id;
  acmeAppRoleId = (await acme.asOwner((ctx) => createAppRole(ctx, { appId: acmeAppId, name: "Acme's role" })))
    .id;
});

type TenantCase = {
  /** A valid input, given the fixtures. */
  input: () => unknown;
  /** The same call made from inside the attacker's own tenant, using Acme's ids (for id-bearing calls). */
  foreignIdInput?: () => unknown;
};

const tenantScoped: Record<string, TenantCase> = {
  "tenant.current": { input: () => undefined },
  "tenant.rename": { input: () => ({ name: "Renamed" }) },
  "member.list": { input: () => undefined },
  "member.changeRole": {
    input: () => ({ membershipId: acmeEmployee.membershipId, role: "approver" }),
    foreignIdInput: () => ({ membershipId: acmeEmployee.membershipId, role: "approver" }),
  },
  "member.remove": {
    input: () => ({ membershipId: acmeEmployee.membershipId }),
    foreignIdInput: () => ({ membershipId: acmeEmployee.membershipId }),
  },
  "invite.list": { input: () => undefined },
  "invite.create": { input: () => ({ email: "someone@else.test", role: "employee" }) },
  "invite.revoke": {
    input: () => ({ inviteId: acmeInviteId }),
    foreignIdInput: () => ({ inviteId: acmeInviteId }),
  },
  "audit.list": { input: () => ({ action: "invite.", limit: 10 }) },
  // Entries are numbered per tenant, so an Acme seq used inside Globex names Globex's own entry
  // (or none): see "audit.entry looks a seq up in the caller's tenant only" below.
  "audit.entry": { input: () => ({ seq: "1" }) },
  "audit.verify": { input: () => ({ scope: "full" }) },
  "audit.export": { input: () => ({ format: "json" }) },
  "audit.checkpoints": { input: () => undefined },
  "policy.current": { input: () => undefined },
  "policy.history": { input: () => undefined },
  // Versions are numbered per tenant like audit entries: version 1 in Globex is Globex's own.
  "policy.version": { input: () => ({ version: 1 }) },
  "policy.catalog": { input: () => undefined },
  "policy.check": { input: () => ({ text: "" }) },
  "policy.save": { input: () => ({ text: "", summary: "Empty the policies", baseVersion: 1 }) },
  "policy.whatIf": {
    input: () => ({
      principal: { type: "user", userId: acmeEmployee.userId },
      action: "facilities.room.book",
      resource: {},
    }),
    foreignIdInput: () => ({
      principal: { type: "user", userId: acmeEmployee.userId },
      action: "facilities.room.book",
      resource: {},
    }),
  },
  "grant.list": { input: () => ({ state: "all" }) },
  "grant.create": {
    input: () => ({
      agentId: acmeAccess.agentId,
      actions: ["facilities.room.book"],
      expiresAt: new Date(Date.now() + 3600_000),
      reason: "Attempted from Globex",
    }),
    foreignIdInput: () => ({
      agentId: acmeAccess.agentId,
      actions: ["facilities.room.book"],
      expiresAt: new Date(Date.now() + 3600_000),
      reason: "Attempted from Globex",
    }),
  },
  "grant.revoke": {
    input: () => ({ grantId: acmeAccess.grantId }),
    foreignIdInput: () => ({ grantId: acmeAccess.grantId }),
  },
  "grant.requests": { input: () => ({ status: "all" }) },
  "grant.decide": {
    input: () => ({ requestId: acmeAccess.requestId, approve: true }),
    foreignIdInput: () => ({ requestId: acmeAccess.requestId, approve: true }),
  },
  "agent.list": { input: () => undefined },
  "agent.register": {
    input: () => ({
      name: "Intruder",
      skillId: "x",
      skillName: "X",
      skillVersion: "1.0",
      publisher: "Globex",
    }),
  },
  "agent.setDisabled": {
    input: () => ({ agentId: acmeAccess.agentId, disabled: true }),
    foreignIdInput: () => ({ agentId: acmeAccess.agentId, disabled: true }),
  },
  // Acme's run ids used from inside Globex need a running engine: server/trpc/routers/runs.integration.test.ts.
  "runs.list": { input: () => ({}) },
  "runs.detail": { input: () => ({ runId: "01JF0000000000000000000000" }) },
  "runs.cancel": { input: () => ({ runId: "01JF0000000000000000000000" }) },
  "runs.rerun": { input: () => ({ runId: "01JF0000000000000000000000" }) },
  "runs.functions": { input: () => undefined },
  "runs.sendTestEvent": { input: () => ({ message: "from Globex" }) },
  "kernel.pools": { input: () => undefined },
  "kernel.stats": { input: () => ({ poolId: "model:default", windowMinutes: 5 }) },
  "kernel.updatePool": {
    input: () => ({
      id: "model:default",
      version: 1,
      settings: {
        policy: "fifo",
        concurrency: 1,
        requestsPerMinute: null,
        tokensPerMinute: null,
        tenantConcurrency: null,
        tenantRequestsPerMinute: null,
        tenantTokensPerMinute: null,
        agingPerSecond: 0,
        defaultDeadlineMs: 1000,
      },
    }),
  },
  // Naming another tenant is what this call is for (operators weigh every tenant in a pool); everyone
  // but the operators is refused: server/trpc/routers/kernel/kernel.integration.test.ts.
  "kernel.setTenantWeight": { input: () => ({ poolId: "model:default", tenantId: acme.id, weight: 2 }) },
  "connector.catalog": { input: () => undefined },
  "connector.get": { input: () => ({ id: "http" }) },
  "connector.connections": { input: () => ({}) },
  "connector.createConnection": {
    input: () => ({ connectorId: "http", name: "Globex's", credentials: { token: "t" }, config: {} }),
  },
  "connector.updateConfig": {
    input: () => ({ connectionId: acmeConnectionId, config: {} }),
    foreignIdInput: () => ({ connectionId: acmeConnectionId, config: {} }),
  },
  "connector.rotateCredentials": {
    input: () => ({ connectionId: acmeConnectionId, credentials: { apiKey: "sk-isolation-0000000000" } }),
    foreignIdInput: () => ({
      connectionId: acmeConnectionId,
      credentials: { apiKey: "sk-isolation-0000000000" },
    }),
  },
  "connector.deleteConnection": {
    input: () => ({ connectionId: acmeConnectionId }),
    foreignIdInput: () => ({ connectionId: acmeConnectionId }),
  },
  "connector.testConnection": {
    input: () => ({ connectionId: acmeConnectionId }),
    foreignIdInput: () => ({ connectionId: acmeConnectionId }),
  },
  "connector.recentCalls": { input: () => ({ connectorId: "http" }) },
  "hr.list": { input: () => ({ search: "Isolated" }) },
  "hr.get": {
    input: () => ({ employeeId: acmeEmployeeRecordId }),
    foreignIdInput: () => ({ employeeId: acmeEmployeeRecordId }),
  },
  "hr.orgChart": { input: () => undefined },
  // Rows are matched by employee number within the caller's tenant only: the same file imported in
  // Globex makes Globex's own record (server/trpc/routers/hr/hr.integration.test.ts).
  "hr.csvImport": {
    input: () => ({
      csv: "employee_number,given_name,family_name,email,start_date\nX1,Eve,Intruder,eve@globex.test,2026-01-05\n",
    }),
  },
  "hr.csvExport": { input: () => undefined },
  "scim.status": { input: () => undefined },
  "scim.generateToken": { input: () => undefined },
  "scim.revokeToken": { input: () => undefined },
  "facilities.sites": { input: () => undefined },
  "facilities.spaces": {
    input: () => ({ siteId: acmeSiteId }),
    foreignIdInput: () => ({ siteId: acmeSiteId }),
  },
  "facilities.createSite": { input: () => ({ name: "Intruder HQ", timeZone: "Europe/Berlin" }) },
  "facilities.createSpace": {
    input: () => ({ siteId: acmeSiteId, kind: "room", name: "Intruder room" }),
    foreignIdInput: () => ({ siteId: acmeSiteId, kind: "room", name: "Intruder room" }),
  },
  "facilities.feedUrl": {
    input: () => ({ spaceId: acmeSpaceId }),
    foreignIdInput: () => ({ spaceId: acmeSpaceId }),
  },
  "facilities.rotateFeedToken": {
    input: () => ({ spaceId: acmeSpaceId }),
    foreignIdInput: () => ({ spaceId: acmeSpaceId }),
  },
  "facilities.upcomingBookings": {
    input: () => ({ spaceId: acmeSpaceId }),
    foreignIdInput: () => ({ spaceId: acmeSpaceId }),
  },
  "facilities.openTickets": {
    input: () => ({ siteId: acmeSiteId }),
    foreignIdInput: () => ({ siteId: acmeSiteId }),
  },
  "facilities.todaysVisitors": {
    input: () => ({ siteId: acmeSiteId }),
    foreignIdInput: () => ({ siteId: acmeSiteId }),
  },
  "accessCatalog.apps": { input: () => undefined },
  "accessCatalog.scimConnections": { input: () => undefined },
  "accessCatalog.createApp": { input: () => ({ name: "Intruder app" }) },
  "accessCatalog.updateApp": {
    input: () => ({ appId: acmeAppId, archived: true }),
    foreignIdInput: () => ({ appId: acmeAppId, archived: true }),
  },
  "accessCatalog.createRole": {
    input: () => ({ appId: acmeAppId, name: "Intruder role" }),
    foreignIdInput: () => ({ appId: acmeAppId, name: "Intruder role" }),
  },
  "accessCatalog.updateRole": {
    input: () => ({ roleId: acmeAppRoleId, archived: true }),
    foreignIdInput: () => ({ roleId: acmeAppRoleId, archived: true }),
  },
  "webhook.endpoints": { input: () => undefined },
  "webhook.createEndpoint": { input: () => ({ name: "Globex's", event: "globex/order.paid" }) },
  "webhook.rotateEndpointSecret": {
    input: () => ({ endpointId: acmeEndpointId }),
    foreignIdInput: () => ({ endpointId: acmeEndpointId }),
  },
  "webhook.disableEndpoint": {
    input: () => ({ endpointId: acmeEndpointId }),
    foreignIdInput: () => ({ endpointId: acmeEndpointId }),
  },
  "webhook.subscriptions": { input: () => undefined },
  "webhook.createSubscription": {
    input: () => ({
      name: "Globex's",
      targetUrl: "https://hooks.example.com/g",
      events: ["*"],
      allowHosts: [],
    }),
  },
  "webhook.disableSubscription": {
    input: () => ({ subscriptionId: acmeSubscriptionId }),
    foreignIdInput: () => ({ subscriptionId: acmeSubscriptionId }),
  },
  "request.catalog": { input: () => undefined },
  "request.submit": { input: () => ({ type: "equipment", input: { kind: "laptop", reason: "Mine broke" } }) },
  "request.mine": { input: () => ({ limit: 10 }) },
  "request.get": {
    input: () => ({ requestId: acmeRequestId }),
    foreignIdInput: () => ({ requestId: acmeRequestId }),
  },
  "request.cancel": {
    input: () => ({ requestId: acmeRequestId }),
    foreignIdInput: () => ({ requestId: acmeRequestId }),
  },
  "approval.inbox": { input: () => undefined },
  "approval.decide": {
    input: () => ({ taskId: acmeTaskId, decision: "approve" }),
    foreignIdInput: () => ({ taskId: acmeTaskId, decision: "approve" }),
  },
  // Each task succeeds or fails on its own: see "approval.bulkDecide with Acme's task ids" below.
  "approval.bulkDecide": { input: () => ({ taskIds: [acmeTaskId], decision: "approve" }) },
  "approval.openTasks": { input: () => undefined },
  "approval.reassign": {
    input: () => ({ taskId: acmeTaskId, fromUserId: acmeApprover.userId, toUserId: acme.owner.userId }),
    foreignIdInput: () => ({
      taskId: acmeTaskId,
      fromUserId: acmeApprover.userId,
      toUserId: globex.owner.userId,
    }),
  },
  "delegation.list": { input: () => ({ all: true }) },
  "delegation.create": {
    input: () => ({ toUserId: acmeEmployee.userId, endsAt: new Date(Date.now() + 86_400_000) }),
    // Acme's member is no member of Globex: "not found", like any other tenant's id.
    foreignIdInput: () => ({ toUserId: acmeEmployee.userId, endsAt: new Date(Date.now() + 86_400_000) }),
  },
  "delegation.revoke": {
    input: () => ({ delegationId: acmeDelegationId }),
    foreignIdInput: () => ({ delegationId: acmeDelegationId }),
  },
  "routing.list": { input: () => undefined },
  "routing.set": { input: () => ({ type: "equipment", rule: { levels: [] } }) },
};

/** Procedures with no tenant in scope, and the test below that covers their isolation. */
const notTenantScoped: Record<string, string> = {
  "auth.signUp": "creates a new tenant; no existing tenant is named",
  "tenant.list": "lists only the caller's tenants",
  "tenant.create": "creates a tenant owned by the caller",
  "invite.preview": "the signed link is the credential; a forged link is refused",
  "invite.accept": "accepting someone else's invitation is refused",
  "profile.get": "acts on the caller only",
  "profile.update": "acts on the caller only",
  "profile.changePassword": "acts on the caller only",
  "profile.sessions": "acts on the caller only",
  "profile.signOutOtherSessions": "acts on the caller only",
  "outbox.mine": "the caller's own mail only: see the Acme invitation test below",
};

async function acmeSnapshot() {
  return withOwner(async (db) => ({
    tenant: (await db.query(`SELECT name FROM "Tenant" WHERE id = $1`, [acme.id])).rows,
    connections: (
      await db.query(
        `SELECT id, status, credentials, config, "updatedAt" FROM "Connection" WHERE "tenantId" = $1 ORDER BY id`,
        [acme.id],
      )
    ).rows,
    members: (
      await db.query(`SELECT id, role FROM "Membership" WHERE "tenantId" = $1 ORDER BY id`, [acme.id])
    ).rows,
    invites: (
      await db.query(`SELECT id, "revokedAt" FROM "Invite" WHERE "tenantId" = $1 ORDER BY id`, [acme.id])
    ).rows,
    auditEntries: (await db.query(`SELECT seq::text FROM "AuditEntry" WHERE "tenantId" = $1`, [acme.id])).rows
      .length,
    people: (
      await db.query(
        `SELECT id, employee_number, work_email, title, manager_id, status, updated_at FROM hr.employee
          WHERE tenant_id = $1 ORDER BY id`,
        [acme.id],
      )
    ).rows,
    webhooks: (
      await db.query(
        `SELECT id, secret, secret_hint, enabled, updated_at FROM integrations.inbound_endpoint WHERE tenant_id = $1
          UNION ALL
         SELECT id, secret, secret_hint, enabled, updated_at FROM integrations.outbound_subscription WHERE tenant_id = $1
          ORDER BY id`,
        [acme.id],
      )
    ).rows,
    scimTokens: (
      await db.query(`SELECT id, revoked_at FROM scim.token WHERE tenant_id = $1 ORDER BY id`, [acme.id])
    ).rows,
    facilities: (
      await db.query(
        `SELECT sp.id, sp.name, sp.feed_token, (SELECT count(*) FROM facilities.site si WHERE si.tenant_id = $1)::int AS sites
           FROM facilities.space sp WHERE sp.tenant_id = $1 ORDER BY sp.id`,
        [acme.id],
      )
    ).rows,
    accessCatalog: (
      await db.query(
        `SELECT a.id, a.name, a.archived_at, r.id AS role, r.name AS role_name, r.archived_at AS role_archived_at
           FROM it.app a LEFT JOIN it.app_role r ON r.app_id = a.id WHERE a.tenant_id = $1 ORDER BY a.id, r.id`,
        [acme.id],
      )
    ).rows,
    requests: (
      await db.query(
        `SELECT r.id, r.status, r.updated_at, t.status AS task, t.assignees,
                (SELECT count(*) FROM requests.approval_decision d WHERE d.task_id = t.id)::int AS decisions,
                (SELECT count(*) FROM requests.routing_rule rr WHERE rr.tenant_id = $1)::int AS rules,
                (SELECT count(*) FROM kernel.approval_delegation g WHERE g.tenant_id = $1 AND g.revoked_at IS NULL)::int AS delegations
           FROM requests.request r LEFT JOIN requests.approval_task t ON t.request_id = r.id
          WHERE r.tenant_id = $1 ORDER BY r.id, t.id`,
        [acme.id],
      )
    ).rows,
    access: (
      await db.query(
        `SELECT (SELECT count(*) FROM "PolicyVersion" WHERE "tenantId" = $1)::int AS policies,
                (SELECT count(*) FROM "AccessGrant" WHERE "tenantId" = $1 AND "revokedAt" IS NULL)::int AS grants,
                (SELECT count(*) FROM "GrantRequest" WHERE "tenantId" = $1 AND status = 'pending')::int AS pending,
                (SELECT count(*) FROM "Agent" WHERE "tenantId" = $1 AND "disabledAt" IS NULL)::int AS agents,
                (SELECT version FROM "AccessState" WHERE "tenantId" = $1)::text AS version`,
        [acme.id],
      )
    ).rows,
  }));
}

describe("tenant isolation", () => {
  it("has a case for every procedure", () => {
    const covered = new Set([...Object.keys(tenantScoped), ...Object.keys(notTenantScoped)]);
    expect(Object.keys(procedureTypes()).filter((p) => !covered.has(p))).toEqual([]);
  });

  for (const [path, c] of Object.entries(tenantScoped)) {
    it(`${path}: a Globex member naming Acme gets 404 and no data`, async () => {
      const before = await acmeSnapshot();
      const res = await callHttp(contextFor(testDb(), globex.owner.userId, acme.slug), path, c.input());
      expect(res.status).toBe(404);
      expect(res.data).toBeUndefined();
      expect(res.error?.message).toBe("Tenant not found");
      expect(JSON.stringify(res)).not.toContain(acme.id);
      expect(await acmeSnapshot()).toEqual(before);
    });

    if (c.foreignIdInput) {
      const foreign = c.foreignIdInput;
      it(`${path}: a Globex admin using Acme's ids in Globex gets 404 and Acme is unchanged`, async () => {
        const before = await acmeSnapshot();
        const res = await callHttp(contextFor(testDb(), globex.owner.userId, globex.slug), path, foreign());
        expect(res.status).toBe(404);
        expect(await acmeSnapshot()).toEqual(before);
      });
    }
  }

  it("an unknown tenant and a tenant you do not belong to look the same", async () => {
    const unknown = await callHttp(
      contextFor(testDb(), globex.owner.userId, "no-such-tenant"),
      "member.list",
      undefined,
    );
    const foreign = await callHttp(
      contextFor(testDb(), globex.owner.userId, acme.slug),
      "member.list",
      undefined,
    );
    expect(unknown.status).toBe(404);
    expect(foreign).toEqual(unknown);
  });

  it("Acme's owner keeps access to the same calls (victim control)", async () => {
    const ctx = contextFor(testDb(), acme.owner.userId, acme.slug);
    expect((await callHttp(ctx, "tenant.current", undefined)).status).toBe(200);
    expect((await callHttp(ctx, "member.list", undefined)).status).toBe(200);
    expect((await callHttp(ctx, "invite.list", undefined)).status).toBe(200);
    const changed = await callHttp(ctx, "member.changeRole", {
      membershipId: acmeEmployee.membershipId,
      role: "approver",
    });
    expect(changed.status).toBe(200);

    const list = await callHttp(ctx, "audit.list", { action: "invite." });
    expect(list.status).toBe(200);
    expect(
      z.object({ entries: z.array(z.object({ sentence: z.string() })) }).parse(list.data).entries,
    ).toContainEqual({ sentence: "acme owner invited newcomer@acme-isolation.test to join as employee" });
    expect((await callHttp(ctx, "audit.entry", { seq: "1" })).status).toBe(200);
    expect((await callHttp(ctx, "audit.verify", { scope: "full" })).status).toBe(200);
    expect((await callHttp(ctx, "audit.export", { format: "csv" })).status).toBe(200);
    expect((await callHttp(ctx, "audit.checkpoints", undefined)).status).toBe(200);
    expect((await callHttp(ctx, "policy.current", undefined)).status).toBe(200);
    expect((await callHttp(ctx, "grant.list", { state: "all" })).data).toContainEqual(
      expect.objectContaining({ id: acmeAccess.grantId, state: "active" }),
    );
    const whatIf = await callHttp(ctx, "policy.whatIf", {
      principal: { type: "user", userId: acmeEmployee.userId },
      action: "facilities.room.book",
      resource: {},
    });
    expect(whatIf.data).toMatchObject({ decision: "allow", reasons: ["book-spaces"] });
    expect(
      (await callHttp(ctx, "agent.setDisabled", { agentId: acmeAccess.agentId, disabled: false })).status,
    ).toBe(200);
  });

  it("audit.entry looks a seq up in the caller's tenant only", async () => {
    const acmeCtx = contextFor(testDb(), acme.owner.userId, acme.slug);
    const acmeLatest = await callHttp(acmeCtx, "audit.list", { limit: 1 });
    const acmeHead = z
      .object({ entries: z.array(z.object({ seq: z.bigint() })).min(1) })
      .parse(acmeLatest.data).entries[0]?.seq;
    const globexCtx = contextFor(testDb(), globex.owner.userId, globex.slug);
    const globexHead = z
      .object({ entries: z.array(z.object({ seq: z.bigint() })).min(1) })
      .parse((await callHttp(globexCtx, "audit.list", { limit: 1 })).data).entries[0]?.seq;
    expect(acmeHead).toBeGreaterThan(globexHead ?? 0n);

    const res = await callHttp(globexCtx, "audit.entry", { seq: String(acmeHead) });
    expect(res.status).toBe(404);
    expect(JSON.stringify(res)).not.toContain(acme.id);
    const own = await callHttp(globexCtx, "audit.entry", { seq: "1" });
    expect(own.status).toBe(200);
    expect(own.data).toMatchObject({ action: "tenant.created", detail: { slug: globex.slug } });
  });

  it("approval.bulkDecide with Acme's task ids decides nothing in Acme", async () => {
    const before = await acmeSnapshot();
    const res = await callHttp(
      contextFor(testDb(), globex.owner.userId, globex.slug),
      "approval.bulkDecide",
      {
        taskIds: [acmeTaskId],
        decision: "approve",
      },
    );
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ results: [{ taskId: acmeTaskId, ok: false, message: "Approval not found" }] });
    expect(JSON.stringify(res)).not.toContain(acmeRequestId);
    expect(await acmeSnapshot()).toEqual(before);
  });

  it("Acme's people keep access to their request, approval and delegation (victim control)", async () => {
    const asEmployee = contextFor(testDb(), acmeEmployee.userId, acme.slug);
    const detail = await callHttp(asEmployee, "request.get", { requestId: acmeRequestId });
    expect(detail.status).toBe(200);
    expect(detail.data).toMatchObject({ id: acmeRequestId, status: "waiting" });
    const inbox = await callHttp(
      contextFor(testDb(), acmeApprover.userId, acme.slug),
      "approval.inbox",
      undefined,
    );
    expect(inbox.data).toEqual([expect.objectContaining({ taskId: acmeTaskId })]);
    const delegations = await callHttp(
      contextFor(testDb(), acmeApprover.userId, acme.slug),
      "delegation.list",
      {},
    );
    expect(delegations.data).toContainEqual(
      expect.objectContaining({ id: acmeDelegationId, state: "active" }),
    );
  });

  it("tenant.list shows a Globex member only Globex", async () => {
    const res = await callHttp(contextFor(testDb(), globex.owner.userId), "tenant.list", undefined);
    expect(res.status).toBe(200);
    expect(res.data).toEqual([expect.objectContaining({ slug: globex.slug, role: "owner" })]);
  });

  it("a Globex member cannot accept Acme's invitation addressed to someone else", async () => {
    const res = await callHttp(contextFor(testDb(), globex.owner.userId), "invite.accept", {
      token: acmeInviteToken,
    });
    expect(res.status).toBe(403);
    const members = await withOwner(
      async (db) =>
        (
          await db.query(`SELECT 1 FROM "Membership" WHERE "tenantId" = $1 AND "userId" = $2`, [
            acme.id,
            globex.owner.userId,
          ])
        ).rowCount,
    );
    expect(members).toBe(0);
  });

  it("a forged invitation link is refused without revealing anything", async () => {
    const [body] = acmeInviteToken.split(".");
    const res = await callHttp(contextFor(testDb(), null), "invite.preview", {
      token: `${body}.forgedsignatureforgedsignatureforgedsig`,
    });
    expect(res.status).toBe(404);
    expect(JSON.stringify(res)).not.toContain("acme");
  });

  it("profile calls act on the caller only", async () => {
    const res = await callHttp(contextFor(testDb(), globex.owner.userId), "profile.get", undefined);
    expect(res.data).toEqual(expect.objectContaining({ id: globex.owner.userId, email: globex.owner.email }));
  });

  it("outbox.mine shows a Globex owner none of Acme's mail, and Acme's owner only their own", async () => {
    const res = await callHttp(contextFor(testDb(), globex.owner.userId), "outbox.mine", { limit: 100 });
    expect(res.status).toBe(200);
    const mine = z
      .object({ messages: z.array(z.object({ to: z.string(), text: z.string() })) })
      .parse(res.data);
    expect(mine.messages.every((m) => m.to === globex.owner.email)).toBe(true);
    expect(JSON.stringify(res)).not.toContain(acmeInviteToken);
    // Acme's owner (a victim control: the procedure works) sees only mail to their own address too.
    const acmeRes = await callHttp(
      contextFor(testDb(), acme.owner.userId, acme.slug),
      "outbox.mine",
      undefined,
    );
    expect(acmeRes.status).toBe(200);
    expect(JSON.stringify(acmeRes)).not.toContain(acmeInviteToken);
  });

  it("signed-out callers get 401 from every non-public procedure", async () => {
    for (const path of Object.keys(procedureTypes())) {
      if (["auth.signUp", "invite.preview", "invite.accept"].includes(path)) continue;
      const res = await callHttp(
        contextFor(testDb(), null, acme.slug),
        path,
        tenantScoped[path]?.input() ?? undefined,
      );
      expect(res.status, path).toBe(401);
    }
  });
});

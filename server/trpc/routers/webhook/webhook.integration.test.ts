/**
 * The webhooks connector's admin API over HTTP (tRPC's fetch adapter and the real router): roles,
 * another tenant's ids, bad input (400, nothing written), and that a secret appears only in the answer
 * of the call that made it. server/webhooks' own tests cover signing, delivery and the SSRF guard.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  createTestTenant,
  testDb,
  withOwner,
  type TestTenant,
  type TestUser,
  callAs,
  expectOk,
} from "@/server/testing/fixtures";
import { createEndpointOutput } from "./create-endpoint.types";
import { createSubscriptionOutput } from "./create-subscription.types";
import { endpointsOutput } from "./endpoints.types";
import { rotateEndpointSecretOutput } from "./rotate-endpoint-secret.types";
import { subscriptionsOutput } from "./subscriptions.types";
import { endpointView, subscriptionView } from "./webhook.types";

const db = testDb();
let acme: TestTenant;
let globex: TestTenant;
let acmeAdmin: TestUser;
let acmeEmployee: TestUser;
let acmeApprover: TestUser;

beforeAll(async () => {
  acme = await createTestTenant(db, "acme");
  globex = await createTestTenant(db, "globex");
  acmeAdmin = await acme.add("admin");
  acmeEmployee = await acme.add("employee");
  acmeApprover = await acme.add("approver");
});

// A public address literal: the SSRF guard checks it without a DNS lookup.
const target = "https://93.184.216.34/hooks/tenet";

/** The tenant's webhook rows and audit entries, read as the database owner. */
const written = (tenant: TestTenant) =>
  withOwner(async (c) => ({
    endpoints: (
      await c.query(
        `SELECT id, name, event_name, secret, secret_hint, previous_secret, enabled, updated_at
           FROM integrations.inbound_endpoint WHERE tenant_id = $1 ORDER BY id`,
        [tenant.id],
      )
    ).rows,
    subscriptions: (
      await c.query(
        `SELECT id, name, target_url, events, secret, enabled, updated_at
           FROM integrations.outbound_subscription WHERE tenant_id = $1 ORDER BY id`,
        [tenant.id],
      )
    ).rows,
    audit: (
      await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "AuditEntry" WHERE "tenantId" = $1`, [
        tenant.id,
      ])
    ).rows[0]?.n,
  }));

let names = 0;
const newEndpoint = async (tenant: TestTenant) =>
  expectOk(
    await callAs(tenant.owner, tenant, "webhook.createEndpoint", {
      name: `Shop ${++names}`,
      event: "shop/order.paid",
    }),
    createEndpointOutput,
  );
const newSubscription = async (tenant: TestTenant) =>
  expectOk(
    await callAs(tenant.owner, tenant, "webhook.createSubscription", {
      name: `Out ${++names}`,
      targetUrl: target,
      events: ["hr/*", "facilities/room.booked"],
      allowHosts: [],
    }),
    createSubscriptionOutput,
  );

describe("webhook router: inbound endpoints", () => {
  it("creates an endpoint whose secret is in the create answer only, with the URL to give the sender", async () => {
    const res = await callAs(acmeAdmin, acme, "webhook.createEndpoint", {
      name: "  Stripe  ",
      event: "billing/payment.received",
    });
    const made = expectOk(res, createEndpointOutput);
    expect(made.secret.length).toBeGreaterThan(20);
    expect(made.endpoint).toMatchObject({
      name: "Stripe",
      event: "billing/payment.received",
      path: `/api/webhooks/${made.endpoint.id}`,
      enabled: true,
      createdBy: { id: acmeAdmin.userId },
    });
    expect(made.endpoint.url).toMatch(new RegExp(`^https?://[^/]+/api/webhooks/${made.endpoint.id}$`));
    expect(made.endpoint.secretHint).not.toContain(made.secret);

    const listRes = await callAs(acme.owner, acme, "webhook.endpoints");
    const listed = expectOk(listRes, endpointsOutput).find((e) => e.id === made.endpoint.id);
    expect(listed).toMatchObject({ name: "Stripe", url: made.endpoint.url, recentDeliveries: [] });
    expect(JSON.stringify(listRes)).not.toContain(made.secret);
    expect(JSON.stringify(listRes)).not.toContain(made.secret.slice(6, -4));
  });

  it("rotates a secret (the new one in the rotate answer only) and disables an endpoint", async () => {
    const { endpoint, secret } = await newEndpoint(acme);
    const rotatedRes = await callAs(acme.owner, acme, "webhook.rotateEndpointSecret", {
      endpointId: endpoint.id,
      graceHours: 2,
    });
    const rotated = expectOk(rotatedRes, rotateEndpointSecretOutput);
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.endpoint.previousSecretExpiresAt).toBeInstanceOf(Date);
    expect(JSON.stringify(rotatedRes)).not.toContain(secret);

    const disabledRes = await callAs(acme.owner, acme, "webhook.disableEndpoint", {
      endpointId: endpoint.id,
    });
    expect(expectOk(disabledRes, endpointView).enabled).toBe(false);
    const listRes = await callAs(acme.owner, acme, "webhook.endpoints");
    expect(expectOk(listRes, endpointsOutput).find((e) => e.id === endpoint.id)?.enabled).toBe(false);
    for (const answer of [disabledRes, listRes]) {
      const text = JSON.stringify(answer);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(rotated.secret);
    }
  });
});

describe("webhook router: outbound subscriptions", () => {
  it("creates a subscription whose secret is in the create answer only, and disables it", async () => {
    const res = await callAs(acme.owner, acme, "webhook.createSubscription", {
      name: "Data warehouse",
      targetUrl: target,
      events: ["hr/*", "hr/*", "facilities/room.booked"],
      allowHosts: [],
    });
    const { subscription, secret } = expectOk(res, createSubscriptionOutput);
    expect(subscription).toMatchObject({
      name: "Data warehouse",
      targetUrl: target,
      events: ["hr/*", "facilities/room.booked"],
      allowHosts: [],
      enabled: true,
    });
    const disabledRes = await callAs(acmeAdmin, acme, "webhook.disableSubscription", {
      subscriptionId: subscription.id,
    });
    expect(expectOk(disabledRes, subscriptionView).enabled).toBe(false);
    const listRes = await callAs(acme.owner, acme, "webhook.subscriptions");
    const listed = expectOk(listRes, subscriptionsOutput).find((s) => s.id === subscription.id);
    expect(listed).toMatchObject({ enabled: false, recentDeliveries: [] });
    for (const answer of [disabledRes, listRes]) expect(JSON.stringify(answer)).not.toContain(secret);
  });
});

describe("webhook router: who may manage webhooks", () => {
  it("refuses employees and approvers every procedure, and writes nothing", async () => {
    const { endpoint } = await newEndpoint(acme);
    const { subscription } = await newSubscription(acme);
    const before = await written(acme);
    const calls: [string, unknown][] = [
      ["webhook.endpoints", undefined],
      ["webhook.createEndpoint", { name: "Mine", event: "shop/order.paid" }],
      ["webhook.rotateEndpointSecret", { endpointId: endpoint.id }],
      ["webhook.disableEndpoint", { endpointId: endpoint.id }],
      ["webhook.subscriptions", undefined],
      ["webhook.createSubscription", { name: "Mine", targetUrl: target, events: ["*"], allowHosts: [] }],
      ["webhook.disableSubscription", { subscriptionId: subscription.id }],
    ];
    for (const user of [acmeEmployee, acmeApprover]) {
      for (const [path, input] of calls) {
        const res = await callAs(user, acme, path, input);
        expect(res.status, path).toBe(403);
        expect(res.error?.message).toBe(`Your role (${user.role}) cannot do this`);
        expect(res.data).toBeUndefined();
      }
    }
    expect(await written(acme)).toEqual(before);
  });
});

describe("webhook router: another tenant's webhooks", () => {
  it("answers not found to a foreign id, lists none of them, and leaves the victim's rows as they were", async () => {
    const { endpoint } = await newEndpoint(acme);
    const { subscription } = await newSubscription(acme);
    const before = await written(acme);
    const attempts: [string, unknown][] = [
      ["webhook.rotateEndpointSecret", { endpointId: endpoint.id }],
      ["webhook.disableEndpoint", { endpointId: endpoint.id }],
      ["webhook.disableSubscription", { subscriptionId: subscription.id }],
      // Ids of the wrong kind are no better.
      ["webhook.disableEndpoint", { endpointId: subscription.id }],
      ["webhook.disableSubscription", { subscriptionId: endpoint.id }],
    ];
    for (const [path, input] of attempts) {
      const res = await callAs(globex.owner, globex, path, input);
      expect(res.status, path).toBe(404);
      expect(res.error?.message).toMatch(/^Webhook (endpoint|subscription) not found$/);
      expect(res.data).toBeUndefined();
    }
    const theirs = [
      ...expectOk(await callAs(globex.owner, globex, "webhook.endpoints"), endpointsOutput).map((e) => e.id),
      ...expectOk(await callAs(globex.owner, globex, "webhook.subscriptions"), subscriptionsOutput).map(
        (s) => s.id,
      ),
    ];
    expect(theirs).not.toContain(endpoint.id);
    expect(theirs).not.toContain(subscription.id);
    expect(await written(acme)).toEqual(before);
  });
});

describe("webhook router: bad input", () => {
  it("answers 400 naming the field and writes nothing", async () => {
    const { endpoint } = await newEndpoint(acme);
    const before = await written(acme);
    const cases: [string, unknown, string][] = [
      ["webhook.createEndpoint", { name: " ", event: "shop/order.paid" }, "name"],
      ["webhook.createEndpoint", { name: "Ok", event: "workflows/run.requested" }, "event"],
      ["webhook.rotateEndpointSecret", { endpointId: endpoint.id, graceHours: -1 }, "graceHours"],
      ["webhook.disableEndpoint", { endpointId: "" }, "endpointId"],
      [
        "webhook.createSubscription",
        { name: "Ok", targetUrl: "ftp://x.example", events: ["*"], allowHosts: [] },
        "targetUrl",
      ],
      [
        "webhook.createSubscription",
        { name: "Ok", targetUrl: "https://127.0.0.1/x", events: ["*"], allowHosts: [] },
        "targetUrl",
      ],
      [
        "webhook.createSubscription",
        { name: "Ok", targetUrl: target, events: ["Bad Event"], allowHosts: [] },
        "events.0",
      ],
      ["webhook.disableSubscription", { subscriptionId: 7 }, "subscriptionId"],
    ];
    for (const [path, input, field] of cases) {
      const res = await callAs(acme.owner, acme, path, input);
      expect(res.status, `${path} ${JSON.stringify(input)}`).toBe(400);
      expect(res.error?.data.fieldErrors?.[field]?.length, `${path} ${field}`).toBeGreaterThan(0);
    }
    expect(await written(acme)).toEqual(before);
  });

  it("answers a malformed id as not found, not as a server error", async () => {
    const res = await callAs(acme.owner, acme, "webhook.disableEndpoint", { endpointId: "not-a-uuid" });
    expect(res.status).toBe(404);
  });
});

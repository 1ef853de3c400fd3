/**
 * The webhook connector's driver against a real receiver on 127.0.0.1 that verifies every delivery's
 * signature with verifyWebhook, as a customer's server would; and the SSRF guard refusing internal
 * targets that are not allowlisted, at creation and again at delivery.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyWebhook } from "@/connectors/http/webhooks";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { createTestTenant, testDb, withOwner, type TestTenant } from "@/server/testing/fixtures";
import {
  createOutboundSubscription,
  disableOutboundSubscription,
  listOutboundSubscriptions,
} from "@/server/webhooks/subscriptions";
import { startTestServer, type TestServer } from "../http/test-server";
import type { DriverContext } from "../sdk";
import { driverContext } from "../testing";
import { webhooksDriver } from "./driver";
import { webhooksManifest } from "./manifest";

const send = webhooksDriver.actions["webhook.send"];
const spec = webhooksManifest.actions["webhook.send"];

let receiver: TestServer;
let acme: TestTenant;
let globex: TestTenant;
/** What the receiver answers next: a status and headers. */
let answer: { status: number; headers?: Record<string, string> } = { status: 204 };
const secrets = new Map<string, string>();
const verified: { path: string; event: string; timestamp: number }[] = [];

beforeAll(async () => {
  receiver = await startTestServer((hit, response) => {
    const secret = secrets.get(hit.path);
    if (secret === undefined) return void response.writeHead(404).end();
    try {
      const { timestamp } = verifyWebhook({
        body: hit.body,
        header: hit.headers["tenet-signature"] as string,
        secrets: [secret],
      });
      verified.push({ path: hit.path, event: String(hit.headers["tenet-event"]), timestamp });
    } catch {
      return void response.writeHead(401).end();
    }
    response.writeHead(answer.status, answer.headers).end();
  });
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
});

afterAll(async () => {
  await receiver.close();
});

async function subscribe(tenant: TestTenant, events: string[] = ["it/*"]) {
  const path = `/hooks/${randomUUID()}`;
  const { subscription, secret } = await tenant.asOwner((ctx) =>
    createOutboundSubscription(ctx, {
      name: `receiver ${path}`,
      targetUrl: `${receiver.origin}${path}`,
      events,
      allowHosts: [`127.0.0.1:${receiver.port}`],
    }),
  );
  secrets.set(path, secret);
  return { subscription, secret, path };
}

const ctxFor = (tenant: TestTenant, idempotencyKey: string | null = null): DriverContext => ({
  ...driverContext(testDb(), tenant.id),
  idempotencyKey,
});

async function deliveryRows(tenant: TestTenant, subscriptionId: string) {
  return withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    sqlOf(tx).query<{
      event_id: string;
      attempt: number;
      status: string;
      response_status: number | null;
      error: string | null;
      next_attempt_at: Date | null;
    }>(
      `SELECT event_id, attempt, status, response_status, error, next_attempt_at
         FROM integrations.outbound_delivery WHERE subscription_id = $1::uuid ORDER BY created_at, attempt`,
      [subscriptionId],
    ),
  );
}

describe("webhook.send", () => {
  it("delivers a signed body the receiver verifies, and records the attempt", async () => {
    const { subscription, path } = await subscribe(acme);
    const input = {
      subscriptionId: subscription.id,
      event: "it/device.assigned",
      payload: { deviceId: "d-1", userId: "u-1" },
    };
    answer = { status: 204 };
    const output = await send.run(input, ctxFor(acme, "assign-d-1"));
    expect(spec.output.parse(output)).toEqual(output);
    expect(output).toMatchObject({ eventId: "assign-d-1", attempt: 1, responseStatus: 204 });

    const hit = receiver.hits.find((h) => h.path === path);
    expect(verified.filter((v) => v.path === path)).toEqual([
      { path, event: "it/device.assigned", timestamp: expect.any(Number) as number },
    ]);
    expect(JSON.parse(hit?.body ?? "null")).toMatchObject({
      id: "assign-d-1",
      event: "it/device.assigned",
      payload: { deviceId: "d-1", userId: "u-1" },
    });
    expect(hit?.headers["tenet-event-id"]).toBe("assign-d-1");
    expect(await deliveryRows(acme, subscription.id)).toEqual([
      {
        event_id: "assign-d-1",
        attempt: 1,
        status: "succeeded",
        response_status: 204,
        error: null,
        next_attempt_at: null,
      },
    ]);
  });

  it("fails a non-2xx answer with the status in the message; a retry is the next attempt of the same event", async () => {
    const { subscription } = await subscribe(acme);
    const input = { subscriptionId: subscription.id, event: "it/device.returned", payload: { n: 1 } };
    answer = { status: 503, headers: { "retry-after": "30" } };
    await expect(send.run(input, ctxFor(acme, "retry-me"))).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringContaining("HTTP 503") as string,
    });
    answer = { status: 200 };
    expect(await send.run(input, ctxFor(acme, "retry-me"))).toMatchObject({
      attempt: 2,
      responseStatus: 200,
    });
    const rows = await deliveryRows(acme, subscription.id);
    expect(rows.map((r) => [r.event_id, r.attempt, r.status, r.response_status])).toEqual([
      ["retry-me", 1, "failed", 503],
      ["retry-me", 2, "succeeded", 200],
    ]);
    expect(rows[0]?.error).toMatch(/answered HTTP 503/);
    expect(rows[0]?.next_attempt_at).toBeInstanceOf(Date);
  });

  it("refuses internal targets that are not allowlisted: at creation, and at delivery", async () => {
    for (const targetUrl of [
      "http://169.254.169.254/latest/meta-data",
      `http://127.0.0.1:${receiver.port}/x`,
    ]) {
      await expect(
        acme.asOwner((ctx) =>
          createOutboundSubscription(ctx, { name: `bad ${targetUrl}`, targetUrl, events: ["*"] }),
        ),
      ).rejects.toMatchObject({
        code: "BAD_REQUEST",
        fields: { targetUrl: [expect.stringMatching(/Refused|https/) as string] },
      });
    }
    await expect(
      acme.asOwner((ctx) =>
        createOutboundSubscription(ctx, {
          name: "metadata",
          targetUrl: "http://169.254.169.254/latest",
          events: ["*"],
          allowHosts: ["169.254.169.254"],
        }),
      ),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      fields: { "allowHosts.0": [expect.stringMatching(/metadata/) as string] },
    });

    // The allowlist entry removed behind the app's back (or a name that now resolves to loopback):
    // the delivery's own check refuses it, sends nothing and records why.
    const { subscription, path } = await subscribe(acme);
    await withOwner((client) =>
      client.query("UPDATE integrations.outbound_subscription SET allow_hosts = '{}' WHERE id = $1", [
        subscription.id,
      ]),
    );
    const hitsBefore = receiver.hits.length;
    await expect(
      send.run({ subscriptionId: subscription.id, event: "it/x.happened", payload: {} }, ctxFor(acme)),
    ).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/loopback/) as string });
    expect(receiver.hits.length).toBe(hitsBefore);
    expect(receiver.hits.some((h) => h.path === path)).toBe(false);
    expect((await deliveryRows(acme, subscription.id)).map((r) => [r.status, r.response_status])).toEqual([
      ["failed", null],
    ]);
  });

  it("dry-runs with the host, event and payload size, sending and writing nothing", async () => {
    const { subscription, path } = await subscribe(acme);
    const preview = await send.dryRun?.(
      { subscriptionId: subscription.id, event: "it/device.assigned", payload: { a: "é" } },
      ctxFor(acme),
    );
    expect(preview).toEqual({
      changes: [
        {
          op: "create",
          object: expect.stringContaining(`127.0.0.1:${receiver.port}`) as string,
          fields: {
            host: { to: `127.0.0.1:${receiver.port}` },
            event: { to: "it/device.assigned" },
            payloadBytes: { to: 10 },
          },
        },
      ],
      warnings: [expect.stringMatching(/allowlists/) as string],
    });
    expect(receiver.hits.some((h) => h.path === path)).toBe(false);
    expect(await deliveryRows(acme, subscription.id)).toEqual([]);
  });

  it("refuses bad input, an event the subscription does not take, a disabled or foreign subscription, writing nothing", async () => {
    const { subscription, path } = await subscribe(acme, ["it/device.assigned"]);
    await expect(
      send.run({ subscriptionId: "nope", event: "it/device.assigned", payload: {} }, ctxFor(acme)),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      fields: { subscriptionId: expect.any(Array) as unknown },
    });
    expect(
      spec.input.safeParse({ subscriptionId: subscription.id, event: "Not An Event", payload: {} }).success,
    ).toBe(false);
    await expect(
      send.run({ subscriptionId: subscription.id, event: "it/device.returned", payload: {} }, ctxFor(acme)),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/does not take/) as string,
    });
    await expect(
      send.run({ subscriptionId: subscription.id, event: "it/device.assigned", payload: {} }, ctxFor(globex)),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await acme.asOwner((ctx) => disableOutboundSubscription(ctx, subscription.id));
    await expect(
      send.run({ subscriptionId: subscription.id, event: "it/device.assigned", payload: {} }, ctxFor(acme)),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect(receiver.hits.some((h) => h.path === path)).toBe(false);
    expect(await deliveryRows(acme, subscription.id)).toEqual([]);
  });

  it("never shows a subscription's secret: not in lists, not in delivery rows, not in the database in clear", async () => {
    const { subscription, secret } = await subscribe(acme);
    answer = { status: 200 };
    await send.run({ subscriptionId: subscription.id, event: "it/a.b", payload: { x: 1 } }, ctxFor(acme));
    const list = await acme.asOwner((ctx) => listOutboundSubscriptions(ctx));
    const listed = list.find((s) => s.id === subscription.id);
    expect(listed?.recentDeliveries).toHaveLength(1);
    expect(listed?.secretHint).toBe(`••••${secret.slice(-4)}`);
    expect(JSON.stringify(list)).not.toContain(secret);
    expect(JSON.stringify(list)).not.toContain("v1:");
    const rows = await withOwner(async (client) =>
      JSON.stringify([
        (
          await client.query("SELECT * FROM integrations.outbound_subscription WHERE id = $1", [
            subscription.id,
          ])
        ).rows,
        (
          await client.query("SELECT * FROM integrations.outbound_delivery WHERE subscription_id = $1", [
            subscription.id,
          ])
        ).rows,
      ]),
    );
    expect(rows).not.toContain(secret.slice("whsec_".length));
  });
});

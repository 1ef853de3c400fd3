/**
 * webhook.send through kernel.call: the preview an approver sees sends nothing, the call delivers a
 * signed event the receiver verifies, and the syscall's idempotency key is the event id receivers see.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyWebhook } from "@/connectors/http/webhooks";
import { AccessEvaluator } from "@/server/kernel/access/evaluator";
import { Kernel, type KernelContext } from "@/server/kernel/kernel";
import { createTestTenant, kernelDeps, testDb, type TestTenant } from "@/server/testing/fixtures";
import { createOutboundSubscription } from "@/server/webhooks/subscriptions";
import { startTestServer, type TestServer } from "../http/test-server";
import { buildToolRegistry, connector } from "../index";
import { webhooksDriver } from "./driver";
import { webhooksManifest } from "./manifest";

const kernel = new Kernel({
  db: testDb,
  tools: buildToolRegistry(
    { webhooks: connector(webhooksManifest, webhooksDriver) },
    { webhooks: webhooksManifest },
  ),
  evaluator: new AccessEvaluator(),
  ...kernelDeps(),
});

let receiver: TestServer;
let secret = "";
const verifiedIds: string[] = [];
let acme: TestTenant;
let owner: KernelContext;
let subscriptionId: string;

beforeAll(async () => {
  receiver = await startTestServer((hit, response) => {
    try {
      verifyWebhook({ body: hit.body, header: String(hit.headers["tenet-signature"]), secrets: [secret] });
      verifiedIds.push(String(hit.headers["tenet-event-id"]));
      response.writeHead(202).end();
    } catch {
      response.writeHead(401).end();
    }
  });
  acme = await createTestTenant(testDb(), "acme");
  owner = { tenantId: acme.id, principal: { type: "user", userId: acme.owner.userId } };
  const created = await acme.asOwner((ctx) =>
    createOutboundSubscription(ctx, {
      name: "crm",
      targetUrl: `${receiver.origin}/hook`,
      events: ["*"],
      allowHosts: [`127.0.0.1:${receiver.port}`],
    }),
  );
  secret = created.secret;
  subscriptionId = created.subscription.id;
});

afterAll(async () => {
  await receiver.close();
});

describe("webhook.send through the kernel", () => {
  it("previews without sending, then delivers with the idempotency key as the event id", async () => {
    const syscall = {
      action: "webhook.send" as const,
      resource: { type: "Webhook" as const, id: subscriptionId, attrs: {} },
      resourceLabel: "crm",
      input: { subscriptionId, event: "crm/deal.won", payload: { dealId: 42 } },
    };
    const preview = await kernel.preview(owner, syscall);
    expect(preview).toMatchObject({
      connector: "webhooks",
      reversible: false,
      decision: { decision: "allow" },
    });
    expect(preview.changes[0]?.fields).toEqual({
      host: { to: `127.0.0.1:${receiver.port}` },
      event: { to: "crm/deal.won" },
      payloadBytes: { to: 13 },
    });
    expect(receiver.hits).toHaveLength(0);

    const key = randomUUID();
    const result = await kernel.call(owner, { ...syscall, idempotencyKey: key });
    expect(result).toMatchObject({
      status: "succeeded",
      output: { eventId: key, attempt: 1, responseStatus: 202 },
    });
    expect(verifiedIds).toEqual([key]);
  });
});

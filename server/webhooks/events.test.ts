import { describe, expect, it } from "vitest";
import { inboundWebhookData, webhookEvent } from "./events";

describe("webhook event triggers", () => {
  it("describe the data handleInboundWebhook sends", () => {
    const data = {
      tenantId: "5b0c3f0e-8a53-4f7e-9d76-2b1c8c9f1a10",
      endpointId: "0b4c56f2-5a0e-4d43-9d7c-0d1f2c3b4a59",
      deliveryId: "1f6a0c57-3c1e-4a7f-8f2e-5b9d0e7c6a21",
      body: { action: "opened", pull_request: { number: 7 } },
      receivedAt: "2026-11-21T19:00:00.000Z",
      signedAt: "2026-11-21T19:00:00.000Z",
    };
    expect(inboundWebhookData.parse(data)).toEqual(data);
    expect(inboundWebhookData.safeParse({ ...data, tenantId: "acme" }).success).toBe(false);
    expect(webhookEvent("webhook/github.received").name).toBe("webhook/github.received");
  });
});

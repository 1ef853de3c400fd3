import { defineAction, defineManifest } from "../sdk";
import { webhookSendInput, webhookSendOutput } from "@/server/webhooks/schemas";

/**
 * Outbound webhooks: deliver an event to one of the tenant's webhook subscriptions, signed with the
 * subscription's secret. Built in: the target, the allowlist and the encrypted secret live in the
 * subscription (server/webhooks/subscriptions.ts), not in a connection.
 */
export const webhooksManifest = defineManifest({
  id: "webhooks",
  version: "1.0.0",
  name: "Webhooks",
  category: "integration",
  description:
    "Sends signed JSON events to the tenant's webhook subscriptions; internal addresses are refused unless the subscription allowlists them.",
  auth: { type: "built-in" },
  rateLimits: { concurrency: 50, tenantRequestsPerMinute: 600 },
  actions: {
    "webhook.send": defineAction({
      action: "webhook.send",
      title: "Send a webhook",
      effect: "write",
      input: webhookSendInput,
      output: webhookSendOutput,
      // What a receiver does with an event is its own; there is no generic way to take one back.
      reversible: false,
      scopes: [],
      // The request itself is limited to 10 s (server/webhooks/outbound.ts); the rest is the database.
      timeoutMs: 15_000,
      describe: (input) => `Send ${input.event} to webhook subscription ${input.subscriptionId}`,
    }),
  },
});

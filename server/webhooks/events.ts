/**
 * Typed triggers for the events inbound endpoints send (inbound.ts): a workflow started by an
 * endpoint declares `webhookEvent("webhook/github.received")` as its trigger, and the SDK checks each
 * event's data against this schema before the function runs, as for Tenet's own events
 * (server/workflows/events.ts). The body is the sender's JSON, unchecked: the workflow validates it.
 */
import { eventType } from "inngest";
import { z } from "zod";
import { tenantIdField } from "@/server/workflows/events";

export const inboundWebhookData = z.object({
  tenantId: tenantIdField,
  endpointId: z.uuid(),
  deliveryId: z.uuid(),
  body: z.json(),
  receivedAt: z.iso.datetime(),
  signedAt: z.iso.datetime(),
});
export type InboundWebhookData = z.output<typeof inboundWebhookData>;

export const webhookEvent = <N extends string>(name: N) => eventType(name, { schema: inboundWebhookData });

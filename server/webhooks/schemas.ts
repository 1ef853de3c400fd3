import { z } from "zod";
import { eventNameSchema } from "./event-names";

/** The webhook connector's action schemas: plain zod, so its manifest stays safe to import anywhere. */

export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** The size of a value as UTF-8 JSON, the way it is sent. */
export const jsonBytes = (value: unknown): number =>
  new TextEncoder().encode(JSON.stringify(value)).byteLength;

export const webhookSendInput = z.strictObject({
  subscriptionId: z.uuid("Choose a webhook subscription"),
  event: eventNameSchema,
  payload: z
    .json()
    .refine(
      (payload) => jsonBytes(payload) <= MAX_PAYLOAD_BYTES,
      `The payload must be at most ${MAX_PAYLOAD_BYTES} bytes as JSON`,
    ),
});
export type WebhookSendInput = z.output<typeof webhookSendInput>;

export const webhookSendOutput = z.strictObject({
  deliveryId: z.uuid(),
  eventId: z.string().min(1),
  attempt: z.int().min(1),
  responseStatus: z.int().min(200).max(299),
  durationMs: z.int().min(0),
});
export type WebhookSendOutput = z.output<typeof webhookSendOutput>;

import { z } from "zod";
import { env } from "@/server/env.js";

/** An endpoint's or a subscription's id; the domain functions answer a malformed or foreign one 404. */
export const webhookIdInput = z.string().trim().min(1, "Choose a webhook").max(100, "Not a webhook id");

/** The address to give the sender: the app's URL and the endpoint's path. */
export const inboundUrl = (path: string) => new URL(path, env.APP_URL).toString();

const createdBy = z.object({ id: z.string(), name: z.string() });

/** An inbound endpoint as lists and answers show it: its secret's hint, never the secret. */
export const endpointView = z.object({
  id: z.string(),
  name: z.string(),
  event: z.string(),
  path: z.string(),
  url: z.string(),
  secretHint: z.string(),
  previousSecretExpiresAt: z.date().nullable(),
  enabled: z.boolean(),
  createdBy,
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const inboundDeliveryView = z.object({
  id: z.string(),
  receivedAt: z.date(),
  signedAt: z.date().nullable(),
  bodySha256: z.string().nullable(),
  bodyBytes: z.number().int().nullable(),
  status: z.enum(["accepted", "rejected"]),
  reason: z.string().nullable(),
  eventId: z.string().nullable(),
});

/** An outbound subscription as lists and answers show it: its secret's hint, never the secret. */
export const subscriptionView = z.object({
  id: z.string(),
  name: z.string(),
  targetUrl: z.string(),
  events: z.array(z.string()),
  allowHosts: z.array(z.string()),
  secretHint: z.string(),
  enabled: z.boolean(),
  createdBy,
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const outboundDeliveryView = z.object({
  id: z.string(),
  eventId: z.string(),
  event: z.string(),
  attempt: z.number().int(),
  status: z.enum(["succeeded", "failed"]),
  responseStatus: z.number().int().nullable(),
  durationMs: z.number().int(),
  error: z.string().nullable(),
  nextAttemptAt: z.date().nullable(),
  createdAt: z.date(),
});

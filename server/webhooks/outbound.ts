import { guardedFetch, type Resolver } from "@/connectors/http/fetch";
import { isHostAllowed } from "@/connectors/http/ssrf";
import { signatureHeader, signWebhook } from "@/connectors/http/webhooks";
import type { CredentialKeyring } from "@/server/connections/crypto";
import type { Tx } from "@/server/db/client";
import { sqlOf } from "@/server/db/sql";
import { AppError, notFound } from "@/server/errors";
import type { JsonValue } from "@/server/kernel/audit/canonical-json";
import { eventMatches } from "./event-names";
import { jsonBytes, type WebhookSendInput, type WebhookSendOutput } from "./schemas";
import { openSecret } from "./secrets";

/**
 * One delivery of an event to an outbound subscription: the body is signed (Tenet-Signature, as in
 * connectors/http/webhooks.ts) and POSTed through the SSRF guard with the subscription's allowlist.
 * Every attempt is recorded; a non-2xx answer is a failed call whose message carries the status, and
 * retrying is the caller's business (the kernel's or the workflow's): a retry of the same syscall
 * carries the same event id, so the receiver can drop a duplicate.
 */

export const OUTBOUND_TIMEOUT_MS = 10_000;
/** A receiver's answer is read only for its status; this bounds what it can make us read. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** The body receivers get; `id` is the same on every attempt of one event. */
export type WebhookEnvelope = { id: string; event: string; createdAt: string; payload: JsonValue };

export type OutboundCall = {
  tenantId: string;
  /** A transaction in the tenant (row-level security), as a driver's ctx.tenant gives. */
  tenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  /** Stable across retries of one syscall: its idempotency key, else its syscall id. */
  eventId: string;
  signal: AbortSignal;
  /** Tests only: DNS replaced, as in connectors/http/fetch.ts. */
  lookup?: Resolver;
  keyring?: CredentialKeyring;
  now?: () => Date;
};

type SubscriptionRow = {
  id: string;
  name: string;
  target_url: string;
  events: string[];
  allow_hosts: string[];
  secret: string;
  enabled: boolean;
};

async function usableSubscription(
  tx: Tx,
  tenantId: string,
  input: WebhookSendInput,
): Promise<SubscriptionRow> {
  const [row] = await sqlOf(tx).query<SubscriptionRow>(
    `SELECT id::text, name, target_url, events, allow_hosts, secret, enabled
       FROM integrations.outbound_subscription WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [tenantId, input.subscriptionId],
  );
  if (!row) throw notFound("Webhook subscription not found");
  if (!row.enabled) throw new AppError("CONFLICT", `The webhook subscription "${row.name}" is disabled`);
  if (!eventMatches(row.events, input.event))
    throw new AppError(
      "BAD_REQUEST",
      `The webhook subscription "${row.name}" does not take ${input.event} (it takes ${row.events.join(", ")})`,
      { fields: { event: [`Not one of ${row.events.join(", ")}`] } },
    );
  return row;
}

/** Seconds or an HTTP date (RFC 9110 §10.2.3), as an instant; null when absent or unreadable. */
function retryAfter(header: string | null, now: Date): Date | null {
  if (header === null) return null;
  const trimmed = header.trim();
  if (/^\d{1,9}$/.test(trimmed)) return new Date(now.getTime() + Number(trimmed) * 1000);
  const date = new Date(trimmed);
  return Number.isNaN(date.getTime()) ? null : date;
}

type Attempt = {
  status: "succeeded" | "failed";
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
  nextAttemptAt: Date | null;
};

/** Sends `input.payload` as `input.event` to the subscription and records the attempt. */
export async function sendWebhook(call: OutboundCall, input: WebhookSendInput): Promise<WebhookSendOutput> {
  const now = call.now ?? (() => new Date());
  const subscription = await call.tenant((tx) => usableSubscription(tx, call.tenantId, input));
  const secret = openSecret(
    { kind: "outbound_subscription", tenantId: call.tenantId, id: subscription.id },
    subscription.secret,
    call.keyring,
  );
  const envelope: WebhookEnvelope = {
    id: call.eventId,
    event: input.event,
    createdAt: now().toISOString(),
    payload: input.payload,
  };
  const body = JSON.stringify(envelope);
  const url = new URL(subscription.target_url);

  const started = performance.now();
  let attempt: Attempt;
  let refusal: AppError | null = null;
  try {
    const response = await guardedFetch(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Tenet-Webhooks/1",
          "tenet-event": input.event,
          "tenet-event-id": call.eventId,
          [signatureHeader.toLowerCase()]: signWebhook(body, [secret], now()),
        },
        body,
        signal: call.signal,
      },
      {
        allowHosts: subscription.allow_hosts,
        timeoutMs: OUTBOUND_TIMEOUT_MS,
        maxResponseBytes: MAX_RESPONSE_BYTES,
        // The receiver decides where a delivery goes only by its URL, never by a redirect.
        maxRedirects: 0,
        lookup: call.lookup,
      },
    );
    const durationMs = Math.round(performance.now() - started);
    const ok = response.status >= 200 && response.status <= 299;
    attempt = {
      status: ok ? "succeeded" : "failed",
      responseStatus: response.status,
      durationMs,
      error: ok ? null : `${url.host} answered HTTP ${response.status}`,
      nextAttemptAt: ok ? null : retryAfter(response.headers.get("retry-after"), now()),
    };
    if (!ok)
      refusal = new AppError(
        response.status === 429 ? "RATE_LIMITED" : "UNAVAILABLE",
        `The webhook to ${url.host} failed: HTTP ${response.status}`,
      );
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // guardedFetch's messages name the host and why, never headers or the body.
    attempt = {
      status: "failed",
      responseStatus: null,
      durationMs: Math.round(performance.now() - started),
      error: error.message.slice(0, 1000),
      nextAttemptAt: null,
    };
    refusal = error;
  }

  const deliveryId = await call.tenant(async (tx) => {
    const [row] = await sqlOf(tx).query<{ id: string; attempt: number }>(
      `INSERT INTO integrations.outbound_delivery
         (tenant_id, subscription_id, event_id, event_name, attempt, status, response_status, duration_ms,
          error, next_attempt_at)
       SELECT $1::uuid, $2::uuid, $3, $4,
              coalesce(max(attempt), 0) + 1, $5, $6::int, $7::int, $8, $9::timestamptz
         FROM integrations.outbound_delivery WHERE subscription_id = $2::uuid AND event_id = $3
       RETURNING id::text, attempt`,
      [
        call.tenantId,
        subscription.id,
        call.eventId,
        input.event,
        attempt.status,
        attempt.responseStatus,
        attempt.durationMs,
        attempt.error,
        attempt.nextAttemptAt,
      ],
    );
    if (!row) throw new Error("outbound_delivery: the insert returned no row");
    return row;
  });
  if (refusal !== null) throw refusal;
  if (attempt.responseStatus === null) throw new Error("outbound: a succeeded attempt without a status");
  return {
    deliveryId: deliveryId.id,
    eventId: call.eventId,
    attempt: deliveryId.attempt,
    responseStatus: attempt.responseStatus,
    durationMs: attempt.durationMs,
  };
}

/** What sendWebhook would do, without decrypting the secret, contacting anyone or writing anything. */
export async function previewWebhook(
  call: Pick<OutboundCall, "tenantId" | "tenant">,
  input: WebhookSendInput,
): Promise<{
  host: string;
  subscription: string;
  event: string;
  payloadBytes: number;
  allowlisted: boolean;
}> {
  const subscription = await call.tenant((tx) => usableSubscription(tx, call.tenantId, input));
  const url = new URL(subscription.target_url);
  return {
    host: url.host,
    subscription: subscription.name,
    event: input.event,
    payloadBytes: jsonBytes(input.payload),
    allowlisted: isHostAllowed(url, subscription.allow_hosts),
  };
}

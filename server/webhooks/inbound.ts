import { createHash } from "node:crypto";
import type { CredentialKeyring } from "@/server/connections/crypto";
import type { PrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { sqlOf, UUID_PATTERN, type Sql } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import type { JsonValue } from "@/server/kernel/audit/canonical-json";
import { signatureHeader, verifyWebhook } from "@/connectors/http/webhooks";
import { openSecret } from "./secrets";

/**
 * POST /api/webhooks/<endpointId>: a request signed with the endpoint's secret (connectors/http/
 * webhooks.ts) becomes one workflow event named as the endpoint says, carrying the JSON body.
 *
 * The endpoint id is the address, and no tenant is known yet: a SECURITY DEFINER function (migration
 * …_webhooks) says whose enabled endpoint it is, and everything after runs in that tenant's
 * row-level-security transaction. An unknown or disabled endpoint, a bad signature and a stale one all
 * get the same 401, so the answer does not tell a prober which it was; the delivery log (for known
 * endpoints) keeps the real reason. Size and media type are checked first, the same for every
 * endpoint, for the same reason.
 *
 * A delivery is accepted once: the same body signed at the same second again is a replay (409), by a
 * unique index, so two copies racing each other cannot both get through.
 */

export const MAX_INBOUND_BYTES = 1024 * 1024;
export const INBOUND_TOLERANCE_SECONDS = 5 * 60;
export const UNAUTHORIZED_MESSAGE = "Unknown webhook endpoint or invalid signature";

/** The workflow event a delivery becomes. `id` makes the engine drop a second send of the same delivery. */
export type InboundWebhookEvent = {
  id: string;
  name: string;
  data: {
    tenantId: string;
    endpointId: string;
    deliveryId: string;
    body: JsonValue;
    /** ISO 8601. */
    receivedAt: string;
    /** The signed `t`, ISO 8601. */
    signedAt: string;
  };
};

/** How an event reaches the workflow engine: the app passes `(event) => inngest.send(event)`. */
export type SendWorkflowEvent = (event: InboundWebhookEvent) => Promise<unknown>;

export type InboundDeps = {
  send: SendWorkflowEvent;
  now?: () => Date;
  keyring?: CredentialKeyring;
};

type Outcome =
  | { status: 202; deliveryId: string; eventId: string }
  | { status: 400 | 401 | 409 | 413 | 415 | 503; message: string };

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });

function toResponse(outcome: Outcome): Response {
  if (outcome.status === 202) return json(202, { deliveryId: outcome.deliveryId, eventId: outcome.eventId });
  return json(outcome.status, { error: { message: outcome.message } });
}

/** The route handler's body; `send` is injected so that tests can see the event without an engine. */
export async function handleInboundWebhook(
  db: PrismaClient,
  request: Request,
  endpointId: string,
  deps: InboundDeps,
): Promise<Response> {
  return toResponse(await receive(db, request, endpointId, deps));
}

/** application/json or a +json type, any parameters (charset) allowed. */
function isJsonMediaType(header: string | null): boolean {
  const type = header?.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/** The body, or null when it is larger than `max` (reading stops there). */
async function readBounded(request: Request, max: number): Promise<Uint8Array | null> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) return null;
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The `t` of a signature header, read leniently, only to log it with a rejection. */
function claimedTimestamp(header: string | null): Date | null {
  const t = header ? /(?:^|,)\s*t=(\d{1,12})\s*(?:,|$)/.exec(header)?.[1] : undefined;
  return t === undefined ? null : new Date(Number(t) * 1000);
}

type Rejection = {
  signedAt: Date | null;
  bodySha256: string | null;
  bodyBytes: number | null;
  reason: string;
  receivedAt: Date;
};

async function insertRejection(sql: Sql, tenantId: string, endpointId: string, r: Rejection): Promise<void> {
  await sql.query(
    `INSERT INTO integrations.inbound_delivery
       (tenant_id, endpoint_id, received_at, signature_ts, body_sha256, body_bytes, status, reason)
     VALUES ($1::uuid, $2::uuid, $3::timestamptz, $4::timestamptz, $5, $6::int, 'rejected', $7)
     RETURNING id::text`,
    [tenantId, endpointId, r.receivedAt, r.signedAt, r.bodySha256, r.bodyBytes, r.reason.slice(0, 500)],
  );
}

/** Raised inside the delivery's transaction to undo it when the engine did not take the event. */
class EngineRefused extends Error {}

type EndpointSecrets = {
  event_name: string;
  secret: string;
  previous_secret: string | null;
};

async function receive(
  db: PrismaClient,
  request: Request,
  endpointId: string,
  deps: InboundDeps,
): Promise<Outcome> {
  const receivedAt = (deps.now ?? (() => new Date()))();
  const header = request.headers.get(signatureHeader);
  const mediaTypeOk = isJsonMediaType(request.headers.get("content-type"));
  const body = mediaTypeOk ? await readBounded(request, MAX_INBOUND_BYTES) : null;

  const tenantId = UUID_PATTERN.test(endpointId) ? await endpointTenant(db, endpointId) : null;
  const rejectTransport = async (status: 413 | 415, message: string): Promise<Outcome> => {
    if (tenantId !== null) {
      await withTenant(db, { tenantId }, (tx) =>
        insertRejection(sqlOf(tx), tenantId, endpointId, {
          signedAt: claimedTimestamp(header),
          bodySha256: null,
          bodyBytes: null,
          reason: message,
          receivedAt,
        }),
      );
    }
    return { status, message };
  };
  if (!mediaTypeOk) return rejectTransport(415, "Send the body as application/json");
  if (body === null) return rejectTransport(413, `The body is larger than ${MAX_INBOUND_BYTES} bytes`);
  if (tenantId === null) return { status: 401, message: UNAUTHORIZED_MESSAGE };

  const bodySha256 = createHash("sha256").update(body).digest("hex");
  const rejection = (reason: string, signedAt: Date | null = claimedTimestamp(header)): Rejection => ({
    signedAt,
    bodySha256,
    bodyBytes: body.byteLength,
    reason,
    receivedAt,
  });

  try {
    return await withTenant(db, { tenantId }, async (tx): Promise<Outcome> => {
      const sql = sqlOf(tx);
      const [endpoint] = await sql.query<EndpointSecrets>(
        `SELECT event_name::text, secret,
                CASE WHEN previous_secret_expires_at > $3::timestamptz THEN previous_secret END AS previous_secret
           FROM integrations.inbound_endpoint
          WHERE tenant_id = $1::uuid AND id = $2::uuid AND enabled`,
        [tenantId, endpointId, receivedAt],
      );
      if (!endpoint) {
        // Disabled between the lookup and now.
        await insertRejection(sql, tenantId, endpointId, rejection("The endpoint is disabled"));
        return { status: 401, message: UNAUTHORIZED_MESSAGE };
      }
      const owner = { kind: "inbound_endpoint", tenantId, id: endpointId } as const;
      const secrets = [endpoint.secret, ...(endpoint.previous_secret ? [endpoint.previous_secret] : [])].map(
        (envelope) => openSecret(owner, envelope, deps.keyring),
      );

      let signedAt: Date;
      try {
        const { timestamp } = verifyWebhook({
          body,
          header,
          secrets,
          toleranceSeconds: INBOUND_TOLERANCE_SECONDS,
          now: receivedAt,
        });
        signedAt = new Date(timestamp * 1000);
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== "UNAUTHORIZED") throw error;
        await insertRejection(sql, tenantId, endpointId, rejection(error.message));
        return { status: 401, message: UNAUTHORIZED_MESSAGE };
      }

      let payload: JsonValue;
      try {
        payload = parseJson(body);
      } catch {
        await insertRejection(sql, tenantId, endpointId, rejection("The body is not JSON (UTF-8)", signedAt));
        return { status: 400, message: "The body is not valid JSON" };
      }

      const eventId = `webhook:${endpointId}:${signedAt.getTime() / 1000}:${bodySha256}`;
      const [accepted] = await sql.query<{ id: string }>(
        `INSERT INTO integrations.inbound_delivery
           (tenant_id, endpoint_id, received_at, signature_ts, body_sha256, body_bytes, status, event_id)
         VALUES ($1::uuid, $2::uuid, $3::timestamptz, $4::timestamptz, $5, $6::int, 'accepted', $7)
         ON CONFLICT (endpoint_id, body_sha256, signature_ts) WHERE status = 'accepted' DO NOTHING
         RETURNING id::text`,
        [tenantId, endpointId, receivedAt, signedAt, bodySha256, body.byteLength, eventId],
      );
      if (!accepted) {
        await insertRejection(
          sql,
          tenantId,
          endpointId,
          rejection("Replay: this body with this signature time was already accepted", signedAt),
        );
        return { status: 409, message: "This delivery was already received" };
      }

      // Sent before the delivery commits: if the engine refuses, the delivery is undone and the sender's
      // retry is not mistaken for a replay; if the commit fails after a send, the retry's event has the
      // same id and the engine drops it.
      try {
        await deps.send({
          id: eventId,
          name: endpoint.event_name,
          data: {
            tenantId,
            endpointId,
            deliveryId: accepted.id,
            body: payload,
            receivedAt: receivedAt.toISOString(),
            signedAt: signedAt.toISOString(),
          },
        });
      } catch (cause) {
        throw new EngineRefused("The workflow engine did not take the event", { cause });
      }
      return { status: 202, deliveryId: accepted.id, eventId };
    });
  } catch (error) {
    if (!(error instanceof EngineRefused)) throw error;
    await withTenant(db, { tenantId }, (tx) =>
      insertRejection(
        sqlOf(tx),
        tenantId,
        endpointId,
        rejection(`${error.message}; the sender should retry`),
      ),
    );
    return { status: 503, message: "The delivery could not be processed now; retry later" };
  }
}

async function endpointTenant(db: PrismaClient, endpointId: string): Promise<string | null> {
  const [row] = await db.$queryRawUnsafe<{ tenant_id: string | null }[]>(
    "SELECT integrations.inbound_endpoint_tenant($1::uuid)::text AS tenant_id",
    endpointId,
  );
  return row?.tenant_id ?? null;
}

function parseJson(body: Uint8Array): JsonValue {
  const text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  return toJsonValue(JSON.parse(text));
}

/** JSON.parse yields only JSON values; this says so to the type checker without a cast. */
function toJsonValue(value: unknown): JsonValue {
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return value;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === "object") {
    // fromEntries defines properties, so a "__proto__" key stays a key and sets no prototype.
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, toJsonValue(member)]));
  }
  throw new Error("not a JSON value");
}

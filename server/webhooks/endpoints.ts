import { randomUUID } from "node:crypto";
import { z } from "zod";
import { hasSqlState, sqlOf, UNIQUE_VIOLATION } from "@/server/db/sql";
import { AppError, checkedId, notFound, parsed } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import { generateWebhookSecret } from "@/connectors/http/webhooks";
import { inboundEventNameSchema } from "./event-names";
import { requireWebhookManager } from "./input";
import { sealSecret } from "./secrets";

/**
 * Inbound webhook endpoints: an address (`/api/webhooks/<id>`) that turns a POST signed with the
 * endpoint's secret into a workflow event (inbound.ts). The secret is returned once, when it is made;
 * lists and audit entries carry only its hint.
 */

export const INBOUND_PATH_PREFIX = "/api/webhooks/";

export const createEndpointInput = z.object({
  name: z.string().trim().min(1, "Name the endpoint").max(100, "Use at most 100 characters"),
  event: inboundEventNameSchema,
});

export const rotateEndpointInput = z.object({
  /** How long the old secret keeps verifying, so the sender can switch over; 0 ends it at once. */
  graceHours: z.number().int("Use whole hours").min(0).max(168, "At most a week (168 hours)").default(24),
});

export type InboundDeliveryView = {
  id: string;
  receivedAt: Date;
  signedAt: Date | null;
  bodySha256: string | null;
  bodyBytes: number | null;
  status: "accepted" | "rejected";
  reason: string | null;
  eventId: string | null;
};

export type InboundEndpointView = {
  id: string;
  name: string;
  event: string;
  /** Where the sender POSTs, relative to the app's URL. */
  path: string;
  secretHint: string;
  /** When the secret before the last rotation stops verifying; null when there is none. */
  previousSecretExpiresAt: Date | null;
  enabled: boolean;
  createdBy: { id: string; name: string };
  createdAt: Date;
  updatedAt: Date;
};

type EndpointRow = {
  id: string;
  name: string;
  event_name: string;
  secret_hint: string;
  previous_secret_expires_at: Date | null;
  enabled: boolean;
  created_by: string;
  created_by_name: string | null;
  created_at: Date;
  updated_at: Date;
};

// Never the envelopes: nothing that lists endpoints can leak a secret, even encrypted.
const ENDPOINT_COLUMNS = `e.id::text, e.name, e.event_name::text, e.secret_hint, e.previous_secret_expires_at,
  e.enabled, e.created_by::text, u.name AS created_by_name, e.created_at, e.updated_at`;
const ENDPOINT_FROM = `integrations.inbound_endpoint e LEFT JOIN public."User" u ON u.id = e.created_by`;

const toView = (row: EndpointRow): InboundEndpointView => ({
  id: row.id,
  name: row.name,
  event: row.event_name,
  path: `${INBOUND_PATH_PREFIX}${row.id}`,
  secretHint: row.secret_hint,
  previousSecretExpiresAt: row.previous_secret_expires_at,
  enabled: row.enabled,
  createdBy: { id: row.created_by, name: row.created_by_name ?? "Unknown user" },
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

async function loadEndpoint(ctx: TenantContext, id: string): Promise<InboundEndpointView> {
  const [row] = await sqlOf(ctx.db).query<EndpointRow>(
    `SELECT ${ENDPOINT_COLUMNS} FROM ${ENDPOINT_FROM} WHERE e.tenant_id = $1::uuid AND e.id = $2::uuid`,
    [ctx.tenantId, checkedId(id, "Webhook endpoint")],
  );
  if (!row) throw notFound("Webhook endpoint not found");
  return toView(row);
}

async function audit(
  ctx: TenantContext,
  action: string,
  endpoint: Pick<InboundEndpointView, "id" | "name" | "event">,
  detail: Record<string, string | number> = {},
): Promise<void> {
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action,
    resource: { type: "webhook_endpoint", id: endpoint.id, label: endpoint.name },
    outcome: "succeeded",
    detail: { name: endpoint.name, event: endpoint.event, ...detail },
  });
}

/** Creates an endpoint; `secret` is shown to the admin now and never again. */
export async function createInboundEndpoint(
  ctx: TenantContext,
  input: z.input<typeof createEndpointInput>,
): Promise<{ endpoint: InboundEndpointView; secret: string }> {
  requireWebhookManager(ctx);
  const { name, event } = parsed(createEndpointInput, input);
  const id = randomUUID();
  const secret = generateWebhookSecret();
  const sealed = sealSecret({ kind: "inbound_endpoint", tenantId: ctx.tenantId, id }, secret);
  try {
    await sqlOf(ctx.db).query(
      `INSERT INTO integrations.inbound_endpoint
         (id, tenant_id, name, event_name, secret, secret_key_id, secret_hint, created_by)
       VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8::uuid) RETURNING id::text`,
      [id, ctx.tenantId, name, event, sealed.envelope, sealed.keyId, sealed.hint, ctx.actor.userId],
    );
  } catch (error) {
    if (hasSqlState(error, UNIQUE_VIOLATION))
      throw new AppError("CONFLICT", `An endpoint named "${name}" already exists`, {
        fields: { name: ["Already taken"] },
      });
    throw error;
  }
  await audit(ctx, "webhook.endpoint_created", { id, name, event });
  return { endpoint: await loadEndpoint(ctx, id), secret };
}

/**
 * A new secret for the endpoint, returned once. The old one keeps verifying for `graceHours` (the
 * sender may be signing with it right now); a second rotation within that time ends the first's grace.
 */
export async function rotateInboundEndpointSecret(
  ctx: TenantContext,
  id: string,
  input: z.input<typeof rotateEndpointInput> = {},
): Promise<{ endpoint: InboundEndpointView; secret: string }> {
  requireWebhookManager(ctx);
  const { graceHours } = parsed(rotateEndpointInput, input);
  const before = await loadEndpoint(ctx, id);
  const secret = generateWebhookSecret();
  const sealed = sealSecret({ kind: "inbound_endpoint", tenantId: ctx.tenantId, id: before.id }, secret);
  await sqlOf(ctx.db).query(
    `UPDATE integrations.inbound_endpoint
        SET previous_secret = CASE WHEN $5::int > 0 THEN secret END,
            previous_secret_expires_at = CASE WHEN $5::int > 0 THEN now() + make_interval(hours => $5::int) END,
            secret = $2, secret_key_id = $3, secret_hint = $4, updated_at = now()
      WHERE tenant_id = $6::uuid AND id = $1::uuid RETURNING id::text`,
    [before.id, sealed.envelope, sealed.keyId, sealed.hint, graceHours, ctx.tenantId],
  );
  await audit(ctx, "webhook.endpoint_secret_rotated", before, { graceHours });
  return { endpoint: await loadEndpoint(ctx, before.id), secret };
}

/** Stops the endpoint: its requests are then refused like an unknown endpoint's. */
export async function disableInboundEndpoint(ctx: TenantContext, id: string): Promise<InboundEndpointView> {
  requireWebhookManager(ctx);
  const before = await loadEndpoint(ctx, id);
  if (!before.enabled) return before;
  await sqlOf(ctx.db).query(
    `UPDATE integrations.inbound_endpoint SET enabled = false, updated_at = now()
      WHERE tenant_id = $1::uuid AND id = $2::uuid RETURNING id::text`,
    [ctx.tenantId, before.id],
  );
  await audit(ctx, "webhook.endpoint_disabled", before);
  return loadEndpoint(ctx, before.id);
}

type DeliveryRow = {
  id: string;
  endpoint_id: string;
  received_at: Date;
  signature_ts: Date | null;
  body_sha256: string | null;
  body_bytes: number | null;
  status: "accepted" | "rejected";
  reason: string | null;
  event_id: string | null;
};

/** The tenant's endpoints, by name, each with its latest deliveries (newest first). */
export async function listInboundEndpoints(
  ctx: TenantContext,
  options: { recentDeliveries?: number } = {},
): Promise<(InboundEndpointView & { recentDeliveries: InboundDeliveryView[] })[]> {
  requireWebhookManager(ctx);
  const perEndpoint = Math.min(Math.max(options.recentDeliveries ?? 10, 0), 100);
  const sql = sqlOf(ctx.db);
  const rows = await sql.query<EndpointRow>(
    `SELECT ${ENDPOINT_COLUMNS} FROM ${ENDPOINT_FROM} WHERE e.tenant_id = $1::uuid ORDER BY e.name, e.id`,
    [ctx.tenantId],
  );
  const deliveries = await sql.query<DeliveryRow>(
    `SELECT d.id::text, d.endpoint_id::text, d.received_at, d.signature_ts, d.body_sha256, d.body_bytes,
            d.status, d.reason, d.event_id
       FROM integrations.inbound_endpoint e
       CROSS JOIN LATERAL (
         SELECT * FROM integrations.inbound_delivery d
          WHERE d.tenant_id = e.tenant_id AND d.endpoint_id = e.id
          ORDER BY d.received_at DESC, d.id LIMIT $2::int) d
      WHERE e.tenant_id = $1::uuid
      ORDER BY d.received_at DESC, d.id`,
    [ctx.tenantId, perEndpoint],
  );
  const byEndpoint = new Map<string, InboundDeliveryView[]>();
  for (const d of deliveries) {
    const list = byEndpoint.get(d.endpoint_id) ?? [];
    list.push({
      id: d.id,
      receivedAt: d.received_at,
      signedAt: d.signature_ts,
      bodySha256: d.body_sha256,
      bodyBytes: d.body_bytes,
      status: d.status,
      reason: d.reason,
      eventId: d.event_id,
    });
    byEndpoint.set(d.endpoint_id, list);
  }
  return rows.map((row) => ({ ...toView(row), recentDeliveries: byEndpoint.get(row.id) ?? [] }));
}

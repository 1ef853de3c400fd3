import { randomUUID } from "node:crypto";
import { z } from "zod";
import { allowHostsSetting, httpUrl, plainHttpProblem } from "@/connectors/http/connection";
import { checkDestination, type Resolver } from "@/connectors/http/fetch";
import { checkAddress, normalizeAllowedHost, parseHost } from "@/connectors/http/ssrf";
import { generateWebhookSecret } from "@/connectors/http/webhooks";
import { hasSqlState, sqlOf, UNIQUE_VIOLATION } from "@/server/db/sql";
import { AppError, checkedId, fieldError, notFound, parsed } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import { eventFilterSchema } from "./event-names";
import { requireWebhookManager } from "./input";
import { sealSecret } from "./secrets";

/**
 * Outbound webhook subscriptions: where the webhook connector's `webhook.send` delivers, signed with
 * the subscription's secret (returned once, at creation). The target is checked against the SSRF guard
 * when it is saved, for a clear early refusal, and again on every delivery, where it counts.
 */

export const createSubscriptionInput = z
  .object({
    name: z.string().trim().min(1, "Name the subscription").max(100, "Use at most 100 characters"),
    targetUrl: httpUrl.pipe(z.string().max(2000, "Use at most 2000 characters")),
    events: z
      .array(eventFilterSchema)
      .min(1, "Choose at least one event (or * for all)")
      .max(50, "At most 50 event filters"),
    allowHosts: allowHostsSetting.pipe(z.array(z.string()).max(20, "Allowlist at most 20 hosts")),
  })
  .superRefine((input, issues) => {
    const problem = plainHttpProblem(input.targetUrl, input.allowHosts);
    if (problem !== null) issues.addIssue({ code: "custom", path: ["targetUrl"], message: problem });
    input.allowHosts.forEach((entry, index) => {
      // Allowlisting opens an internal host on purpose; the cloud's metadata service is never one.
      let normalized: string;
      try {
        normalized = normalizeAllowedHost(entry);
      } catch {
        return; // reported by allowHostsSetting
      }
      const host = parseHost(new URL(`http://${normalized}/`).hostname);
      if (host.kind === "ip") {
        const check = checkAddress(host.address);
        if (!check.allowed && check.reason.includes("metadata"))
          issues.addIssue({
            code: "custom",
            path: ["allowHosts", index],
            message: `${entry} is ${check.reason}; it cannot be allowlisted`,
          });
      }
    });
  });

export type OutboundDeliveryView = {
  id: string;
  eventId: string;
  event: string;
  attempt: number;
  status: "succeeded" | "failed";
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
};

export type OutboundSubscriptionView = {
  id: string;
  name: string;
  targetUrl: string;
  events: string[];
  allowHosts: string[];
  secretHint: string;
  enabled: boolean;
  createdBy: { id: string; name: string };
  createdAt: Date;
  updatedAt: Date;
};

type SubscriptionRow = {
  id: string;
  name: string;
  target_url: string;
  events: string[];
  allow_hosts: string[];
  secret_hint: string;
  enabled: boolean;
  created_by: string;
  created_by_name: string | null;
  created_at: Date;
  updated_at: Date;
};

// Never the envelope: nothing that lists subscriptions can leak a secret, even encrypted.
const COLUMNS = `s.id::text, s.name, s.target_url, s.events, s.allow_hosts, s.secret_hint, s.enabled,
  s.created_by::text, u.name AS created_by_name, s.created_at, s.updated_at`;
const FROM = `integrations.outbound_subscription s LEFT JOIN public."User" u ON u.id = s.created_by`;

const toView = (row: SubscriptionRow): OutboundSubscriptionView => ({
  id: row.id,
  name: row.name,
  targetUrl: row.target_url,
  events: row.events,
  allowHosts: row.allow_hosts,
  secretHint: row.secret_hint,
  enabled: row.enabled,
  createdBy: { id: row.created_by, name: row.created_by_name ?? "Unknown user" },
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

async function loadSubscription(ctx: TenantContext, id: string): Promise<OutboundSubscriptionView> {
  const [row] = await sqlOf(ctx.db).query<SubscriptionRow>(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE s.tenant_id = $1::uuid AND s.id = $2::uuid`,
    [ctx.tenantId, checkedId(id, "Webhook subscription")],
  );
  if (!row) throw notFound("Webhook subscription not found");
  return toView(row);
}

async function audit(
  ctx: TenantContext,
  action: string,
  subscription: Pick<OutboundSubscriptionView, "id" | "name" | "targetUrl" | "events">,
): Promise<void> {
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action,
    resource: { type: "webhook_subscription", id: subscription.id, label: subscription.name },
    outcome: "succeeded",
    detail: {
      name: subscription.name,
      targetHost: new URL(subscription.targetUrl).host,
      events: subscription.events.join(", "),
    },
  });
}

/**
 * Creates a subscription; `secret` is shown to the admin now and never again. A target the SSRF guard
 * refuses (an internal address not allowlisted) is refused here, as a field error.
 */
export async function createOutboundSubscription(
  ctx: TenantContext,
  input: z.input<typeof createSubscriptionInput>,
  deps: { lookup?: Resolver } = {},
): Promise<{ subscription: OutboundSubscriptionView; secret: string }> {
  requireWebhookManager(ctx);
  const { name, targetUrl, events, allowHosts } = parsed(createSubscriptionInput, input);
  const normalizedHosts = [...new Set(allowHosts.map(normalizeAllowedHost))];
  try {
    await checkDestination(new URL(targetUrl), { allowHosts: normalizedHosts, lookup: deps.lookup });
  } catch (error) {
    // A name that does not resolve today may tomorrow; only a refusal by the guard is final.
    if (error instanceof AppError && (error.code === "FORBIDDEN" || error.code === "BAD_REQUEST"))
      throw fieldError("targetUrl", error.message);
    if (!(error instanceof AppError && error.code === "UNAVAILABLE")) throw error;
  }

  const id = randomUUID();
  const secret = generateWebhookSecret();
  const sealed = sealSecret({ kind: "outbound_subscription", tenantId: ctx.tenantId, id }, secret);
  const uniqueEvents = [...new Set(events)];
  try {
    await sqlOf(ctx.db).query(
      `INSERT INTO integrations.outbound_subscription
         (id, tenant_id, name, target_url, events, secret, secret_key_id, secret_hint, allow_hosts, created_by)
       VALUES ($1::uuid, $2::uuid, $3, $4, $5::text[], $6, $7, $8, $9::text[], $10::uuid) RETURNING id::text`,
      [
        id,
        ctx.tenantId,
        name,
        targetUrl,
        uniqueEvents,
        sealed.envelope,
        sealed.keyId,
        sealed.hint,
        normalizedHosts,
        ctx.actor.userId,
      ],
    );
  } catch (error) {
    if (hasSqlState(error, UNIQUE_VIOLATION))
      throw new AppError("CONFLICT", `A subscription named "${name}" already exists`, {
        fields: { name: ["Already taken"] },
      });
    throw error;
  }
  await audit(ctx, "webhook.subscription_created", { id, name, targetUrl, events: uniqueEvents });
  return { subscription: await loadSubscription(ctx, id), secret };
}

/** Stops deliveries: webhook.send to it is refused from now on. */
export async function disableOutboundSubscription(
  ctx: TenantContext,
  id: string,
): Promise<OutboundSubscriptionView> {
  requireWebhookManager(ctx);
  const before = await loadSubscription(ctx, id);
  if (!before.enabled) return before;
  await sqlOf(ctx.db).query(
    `UPDATE integrations.outbound_subscription SET enabled = false, updated_at = now()
      WHERE tenant_id = $1::uuid AND id = $2::uuid RETURNING id::text`,
    [ctx.tenantId, before.id],
  );
  await audit(ctx, "webhook.subscription_disabled", before);
  return loadSubscription(ctx, before.id);
}

type DeliveryRow = {
  id: string;
  subscription_id: string;
  event_id: string;
  event_name: string;
  attempt: number;
  status: "succeeded" | "failed";
  response_status: number | null;
  duration_ms: number;
  error: string | null;
  next_attempt_at: Date | null;
  created_at: Date;
};

/** The tenant's subscriptions, by name, each with its latest delivery attempts (newest first). */
export async function listOutboundSubscriptions(
  ctx: TenantContext,
  options: { recentDeliveries?: number } = {},
): Promise<(OutboundSubscriptionView & { recentDeliveries: OutboundDeliveryView[] })[]> {
  requireWebhookManager(ctx);
  const perSubscription = Math.min(Math.max(options.recentDeliveries ?? 10, 0), 100);
  const sql = sqlOf(ctx.db);
  const rows = await sql.query<SubscriptionRow>(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE s.tenant_id = $1::uuid ORDER BY s.name, s.id`,
    [ctx.tenantId],
  );
  const deliveries = await sql.query<DeliveryRow>(
    `SELECT d.id::text, d.subscription_id::text, d.event_id, d.event_name, d.attempt, d.status,
            d.response_status, d.duration_ms, d.error, d.next_attempt_at, d.created_at
       FROM integrations.outbound_subscription s
       CROSS JOIN LATERAL (
         SELECT * FROM integrations.outbound_delivery d
          WHERE d.tenant_id = s.tenant_id AND d.subscription_id = s.id
          ORDER BY d.created_at DESC, d.id LIMIT $2::int) d
      WHERE s.tenant_id = $1::uuid
      ORDER BY d.created_at DESC, d.id`,
    [ctx.tenantId, perSubscription],
  );
  const bySubscription = new Map<string, OutboundDeliveryView[]>();
  for (const d of deliveries) {
    const list = bySubscription.get(d.subscription_id) ?? [];
    list.push({
      id: d.id,
      eventId: d.event_id,
      event: d.event_name,
      attempt: d.attempt,
      status: d.status,
      responseStatus: d.response_status,
      durationMs: d.duration_ms,
      error: d.error,
      nextAttemptAt: d.next_attempt_at,
      createdAt: d.created_at,
    });
    bySubscription.set(d.subscription_id, list);
  }
  return rows.map((row) => ({ ...toView(row), recentDeliveries: bySubscription.get(row.id) ?? [] }));
}

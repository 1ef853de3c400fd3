import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Tx } from "@/server/db/client";
import { hasSqlState, sqlOf, UNIQUE_VIOLATION } from "@/server/db/sql";
import { AppError, checkedId, notFound, parsed } from "@/server/errors";
import { addDays, toInstant, toWallClock } from "@/server/calendar/zoned";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import {
  actingOf,
  isFacilitiesManager,
  iso,
  requireMember,
  trimmed,
  withSavepoint,
  type Acting,
} from "./common";
import { getSite } from "./spaces";

/** Visitors: registered by their host, checked in at reception with a badge, checked out. */

export const VISITOR_STATUSES = ["expected", "checked_in", "checked_out", "cancelled"] as const;
export type VisitorStatus = (typeof VISITOR_STATUSES)[number];

export const visitorInput = z.object({
  siteId: z.uuid("Choose a site"),
  /** The member the visitor comes to see; people register their own visitors unless they are admins. */
  hostId: z.uuid("Choose a host").optional(),
  name: trimmed("Name", 200),
  email: z.email("Use an email address").max(320).nullish(),
  company: z.string().trim().max(200, "Use at most 200 characters").nullish(),
  expectedAt: z.iso.datetime({ offset: true, message: "Use an ISO 8601 date and time" }),
});
export type VisitorInput = z.input<typeof visitorInput>;

export type Visitor = {
  id: string;
  siteId: string;
  hostId: string | null;
  name: string;
  email: string | null;
  company: string | null;
  expectedAt: Date;
  status: VisitorStatus;
  badgeNumber: string | null;
  checkedInAt: Date | null;
  checkedOutAt: Date | null;
};

type VisitorRow = {
  id: string;
  site_id: string;
  host_id: string | null;
  name: string;
  email: string | null;
  company: string | null;
  expected_at: string;
  status: VisitorStatus;
  badge_number: string | null;
  checked_in_at: string | null;
  checked_out_at: string | null;
};

const VISITOR_COLUMNS = `id::text, site_id::text, host_id::text, name, email, company, ${iso("expected_at")} AS expected_at,
  status, badge_number, ${iso("checked_in_at")} AS checked_in_at, ${iso("checked_out_at")} AS checked_out_at`;

const dateOrNull = (v: string | null) => (v === null ? null : new Date(v));

const toVisitor = (r: VisitorRow): Visitor => ({
  id: r.id,
  siteId: r.site_id,
  hostId: r.host_id,
  name: r.name,
  email: r.email,
  company: r.company,
  expectedAt: new Date(r.expected_at),
  status: r.status,
  badgeNumber: r.badge_number,
  checkedInAt: dateOrNull(r.checked_in_at),
  checkedOutAt: dateOrNull(r.checked_out_at),
});

async function loadVisitor(tx: Tx, tenantId: string, visitorId: string): Promise<Visitor> {
  checkedId(visitorId, "Visitor");
  const [row] = await sqlOf(tx).query<VisitorRow>(
    `SELECT ${VISITOR_COLUMNS} FROM facilities.visitor WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [tenantId, visitorId],
  );
  if (!row) throw notFound("Visitor not found");
  return toVisitor(row);
}

/** A visitor's registration checked (site, host), not written: for dry runs and registerVisitorIn. */
export async function planVisitor(tx: Tx, tenantId: string, input: VisitorInput, acting: Acting) {
  const visitor = parsed(visitorInput, input);
  const hostId = visitor.hostId ?? acting.userId;
  if (hostId === null)
    throw new AppError("BAD_REQUEST", "hostId: Say whom the visitor comes to see", {
      fields: { hostId: ["Say whom the visitor comes to see"] },
    });
  if (acting.role !== null && hostId !== acting.userId && !isFacilitiesManager(acting.role))
    throw new AppError("FORBIDDEN", "Only admins can register visitors for someone else");
  await requireMember(tx, tenantId, hostId, "hostId");
  const site = await getSite(tx, tenantId, visitor.siteId);
  return { visitor, hostId, site };
}

/** Registers an expected visitor. The host must be a member; a retried syscall finds its visitor. */
export async function registerVisitorIn(
  tx: Tx,
  tenantId: string,
  input: VisitorInput,
  acting: Acting,
): Promise<Visitor> {
  if (acting.syscallId !== null) {
    const [earlier] = await sqlOf(tx).query<{ id: string }>(
      `SELECT id::text FROM facilities.visitor WHERE tenant_id = $1::uuid AND syscall_id = $2`,
      [tenantId, acting.syscallId],
    );
    if (earlier) return loadVisitor(tx, tenantId, earlier.id);
  }
  const { visitor, hostId } = await planVisitor(tx, tenantId, input, acting);
  const id = randomUUID();
  await sqlOf(tx).query(
    `INSERT INTO facilities.visitor (id, tenant_id, site_id, host_id, name, email, company, expected_at, syscall_id)
     VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, $6, $7, $8::timestamptz, $9)`,
    [
      id,
      tenantId,
      visitor.siteId,
      hostId,
      visitor.name,
      visitor.email ?? null,
      visitor.company ?? null,
      visitor.expectedAt,
      acting.syscallId,
    ],
  );
  return loadVisitor(tx, tenantId, id);
}

async function auditVisitor(
  ctx: TenantContext,
  action: string,
  visitor: Visitor,
  detail: Record<string, string> = {},
) {
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action,
    resource: { type: "visitor", id: visitor.id, label: visitor.name },
    outcome: "succeeded",
    detail,
  });
}

export async function registerVisitor(ctx: TenantContext, input: VisitorInput): Promise<Visitor> {
  const visitor = await registerVisitorIn(ctx.db, ctx.tenantId, input, actingOf(ctx));
  await auditVisitor(ctx, "facilities.visitor_registered", visitor, {
    expectedAt: visitor.expectedAt.toISOString(),
  });
  return visitor;
}

/** Reception (admins) and the host may move a visitor along. */
function requireHostOrManager(ctx: TenantContext, visitor: Visitor): void {
  if (visitor.hostId !== ctx.actor.userId && !isFacilitiesManager(ctx.actor.role))
    throw new AppError("FORBIDDEN", "Only the host or an admin can do this");
}

const STATUS_WORDS: Record<VisitorStatus, string> = {
  expected: "is expected",
  checked_in: "is already checked in",
  checked_out: "has already checked out",
  cancelled: "was cancelled",
};

async function transition(
  ctx: TenantContext,
  visitorId: string,
  from: VisitorStatus,
  set: string,
  values: readonly unknown[],
): Promise<Visitor> {
  const visitor = await loadVisitor(ctx.db, ctx.tenantId, visitorId);
  requireHostOrManager(ctx, visitor);
  if (visitor.status !== from)
    throw new AppError("CONFLICT", `${visitor.name} ${STATUS_WORDS[visitor.status]}`);
  // The status is in the WHERE clause, so a concurrent transition makes this one change nothing.
  const rows = await sqlOf(ctx.db).query<{ id: string }>(
    `UPDATE facilities.visitor SET ${set} WHERE tenant_id = $1::uuid AND id = $2::uuid AND status = $3 RETURNING id::text`,
    [ctx.tenantId, visitorId, from, ...values],
  );
  if (rows.length === 0) throw new AppError("CONFLICT", `${visitor.name} was changed meanwhile; reload`);
  return loadVisitor(ctx.db, ctx.tenantId, visitorId);
}

export async function checkInVisitor(
  ctx: TenantContext,
  input: { visitorId: string; badgeNumber: string },
  now = new Date(),
): Promise<Visitor> {
  const badge = parsed(trimmed("Badge number", 50), input.badgeNumber);
  const visitor = await withSavepoint(ctx.db, () =>
    transition(
      ctx,
      input.visitorId,
      "expected",
      "status = 'checked_in', badge_number = $4, checked_in_at = $5::timestamptz",
      [badge, now.toISOString()],
    ),
  ).catch((error: unknown) => {
    if (hasSqlState(error, UNIQUE_VIOLATION))
      throw new AppError("CONFLICT", `Badge ${badge} is worn by another visitor at this site`, {
        cause: error,
        fields: { badgeNumber: [`Badge ${badge} is worn by another visitor at this site`] },
      });
    throw error;
  });
  await auditVisitor(ctx, "facilities.visitor_checked_in", visitor, { badgeNumber: badge });
  return visitor;
}

export async function checkOutVisitor(
  ctx: TenantContext,
  input: { visitorId: string },
  now = new Date(),
): Promise<Visitor> {
  const visitor = await transition(
    ctx,
    input.visitorId,
    "checked_in",
    "status = 'checked_out', checked_out_at = $4::timestamptz",
    [now.toISOString()],
  );
  await auditVisitor(ctx, "facilities.visitor_checked_out", visitor);
  return visitor;
}

export async function cancelVisitor(ctx: TenantContext, input: { visitorId: string }): Promise<Visitor> {
  const visitor = await transition(ctx, input.visitorId, "expected", "status = 'cancelled'", []);
  await auditVisitor(ctx, "facilities.visitor_cancelled", visitor);
  return visitor;
}

/**
 * A site's visitors for its local day containing `now` (midnight to midnight on the site's clock),
 * in expected order, cancelled ones included so reception knows not to wait.
 */
export async function todaysVisitors(
  ctx: TenantContext,
  input: { siteId: string },
  now = new Date(),
): Promise<Visitor[]> {
  const site = await getSite(ctx.db, ctx.tenantId, input.siteId);
  const today = toWallClock(now, site.timeZone).date;
  const from = toInstant({ date: today, time: "00:00" }, site.timeZone);
  const to = toInstant({ date: addDays(today, 1), time: "00:00" }, site.timeZone);
  const rows = await sqlOf(ctx.db).query<VisitorRow>(
    `SELECT ${VISITOR_COLUMNS} FROM facilities.visitor
      WHERE tenant_id = $1::uuid AND site_id = $2::uuid AND expected_at >= $3::timestamptz AND expected_at < $4::timestamptz
      ORDER BY expected_at, name`,
    [ctx.tenantId, site.id, from.toISOString(), to.toISOString()],
  );
  return rows.map(toVisitor);
}

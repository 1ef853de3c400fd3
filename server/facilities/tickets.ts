import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Tx } from "@/server/db/client";
import { sqlOf } from "@/server/db/sql";
import { AppError, checkedId, notFound, parsed } from "@/server/errors";
import { addDays, toInstant, toWallClock, weekdayOf } from "@/server/calendar/zoned";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import { actingOf, isFacilitiesManager, iso, requireMember, trimmed, type Acting } from "./common";
import { getSite, getSpace } from "./spaces";

/** Maintenance tickets with a service-level deadline per priority. */

export const TICKET_PRIORITIES = ["low", "normal", "high", "urgent"] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
export const TICKET_STATUSES = ["open", "in_progress", "resolved", "closed"] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/**
 * How long each priority may take to resolve. Elapsed hours for urgent work; business days (Monday
 * to Friday on the site's calendar) for high; calendar days otherwise. The due time is computed when
 * the ticket is filed (or its priority changes) and stored.
 */
export const SLA: Record<TicketPriority, { hours: number } | { businessDays: number } | { days: number }> = {
  urgent: { hours: 4 },
  high: { businessDays: 1 },
  normal: { days: 3 },
  low: { days: 10 },
};

/** When a ticket of `priority` filed at `filedAt` at a site in `timeZone` is due. */
export function slaDueAt(priority: TicketPriority, filedAt: Date, timeZone: string): Date {
  const sla = SLA[priority];
  if ("hours" in sla) return new Date(filedAt.getTime() + sla.hours * 3_600_000);
  if ("days" in sla) return new Date(filedAt.getTime() + sla.days * 86_400_000);
  // Same wall-clock time, `businessDays` weekdays later: filed Friday 15:00, due Monday 15:00.
  const wall = toWallClock(filedAt, timeZone);
  let date = wall.date;
  for (let left = sla.businessDays; left > 0;) {
    date = addDays(date, 1);
    if (weekdayOf(date) <= 5) left--;
  }
  return toInstant({ date, time: wall.time }, timeZone);
}

export const ticketInput = z
  .object({
    siteId: z.uuid("Choose a site").nullish(),
    spaceId: z.uuid("Choose a space").nullish(),
    title: trimmed("Title", 200),
    description: z.string().trim().max(10_000, "Use at most 10000 characters").default(""),
    priority: z.enum(TICKET_PRIORITIES, "Choose low, normal, high or urgent").default("normal"),
  })
  .refine((t) => t.siteId || t.spaceId, { message: "Say which site or space needs work", path: ["siteId"] });
export type TicketInput = z.input<typeof ticketInput>;

export const ticketUpdate = z.object({
  ticketId: z.uuid("Choose a ticket"),
  status: z.enum(TICKET_STATUSES, "Choose open, in_progress, resolved or closed").optional(),
  priority: z.enum(TICKET_PRIORITIES, "Choose low, normal, high or urgent").optional(),
  /** A member's user id, or null to unassign. */
  assigneeId: z.uuid("Choose a member").nullish(),
});
export type TicketUpdate = z.input<typeof ticketUpdate>;

export type Ticket = {
  id: string;
  siteId: string;
  spaceId: string | null;
  reporterId: string | null;
  title: string;
  description: string;
  priority: TicketPriority;
  status: TicketStatus;
  slaDueAt: Date;
  assigneeId: string | null;
  resolvedAt: Date | null;
  createdAt: Date;
  /** Past its due time without being resolved, or resolved after it. */
  breached: boolean;
};

type TicketRow = {
  id: string;
  site_id: string;
  space_id: string | null;
  reporter_id: string | null;
  title: string;
  description: string;
  priority: TicketPriority;
  status: TicketStatus;
  sla_due_at: string;
  assignee_id: string | null;
  resolved_at: string | null;
  created_at: string;
};

const TICKET_COLUMNS = `id::text, site_id::text, space_id::text, reporter_id::text, title, description, priority, status,
  ${iso("sla_due_at")} AS sla_due_at, assignee_id::text, ${iso("resolved_at")} AS resolved_at, ${iso("created_at")} AS created_at`;

/** Whether the deadline was missed, as of `now`: the breach is computed on read, never stored. */
export function isBreached(t: { slaDueAt: Date; resolvedAt: Date | null }, now: Date): boolean {
  return (t.resolvedAt ?? now).getTime() > t.slaDueAt.getTime();
}

function toTicket(r: TicketRow, now: Date): Ticket {
  const slaDue = new Date(r.sla_due_at);
  const resolvedAt = r.resolved_at === null ? null : new Date(r.resolved_at);
  return {
    id: r.id,
    siteId: r.site_id,
    spaceId: r.space_id,
    reporterId: r.reporter_id,
    title: r.title,
    description: r.description,
    priority: r.priority,
    status: r.status,
    slaDueAt: slaDue,
    assigneeId: r.assignee_id,
    resolvedAt,
    createdAt: new Date(r.created_at),
    breached: isBreached({ slaDueAt: slaDue, resolvedAt }, now),
  };
}

async function loadTicket(tx: Tx, tenantId: string, ticketId: string, now: Date): Promise<Ticket> {
  checkedId(ticketId, "Ticket");
  const [row] = await sqlOf(tx).query<TicketRow>(
    `SELECT ${TICKET_COLUMNS} FROM facilities.maintenance_ticket WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [tenantId, ticketId],
  );
  if (!row) throw notFound("Ticket not found");
  return toTicket(row, now);
}

/** A new ticket checked (site, space, reporter) with its due time, not written: for dry runs and createTicketIn. */
export async function planTicket(
  tx: Tx,
  tenantId: string,
  input: TicketInput,
  acting: Acting,
  now = new Date(),
) {
  const ticket = parsed(ticketInput, input);
  if (acting.userId !== null) await requireMember(tx, tenantId, acting.userId, "reporterId");
  let siteId: string;
  if (ticket.spaceId) {
    const space = await getSpace(tx, tenantId, ticket.spaceId, false);
    if (ticket.siteId && ticket.siteId !== space.siteId)
      throw new AppError("BAD_REQUEST", `spaceId: ${space.name} is not at that site`, {
        fields: { spaceId: [`${space.name} is not at that site`] },
      });
    siteId = space.siteId;
  } else {
    siteId = (await getSite(tx, tenantId, ticket.siteId ?? "")).id;
  }
  const site = await getSite(tx, tenantId, siteId);
  return { ticket, siteId, site, slaDue: slaDueAt(ticket.priority, now, site.timeZone) };
}

/** Files a ticket; `acting.userId` is the reporter. A retried syscall finds the ticket it filed. */
export async function createTicketIn(
  tx: Tx,
  tenantId: string,
  input: TicketInput,
  acting: Acting,
  now = new Date(),
): Promise<Ticket> {
  if (acting.syscallId !== null) {
    const [earlier] = await sqlOf(tx).query<{ id: string }>(
      `SELECT id::text FROM facilities.maintenance_ticket WHERE tenant_id = $1::uuid AND syscall_id = $2`,
      [tenantId, acting.syscallId],
    );
    if (earlier) return loadTicket(tx, tenantId, earlier.id, now);
  }
  const { ticket, siteId, slaDue } = await planTicket(tx, tenantId, input, acting, now);
  const id = randomUUID();
  await sqlOf(tx).query(
    `INSERT INTO facilities.maintenance_ticket (id, tenant_id, site_id, space_id, reporter_id, title, description, priority,
       sla_due_at, syscall_id, created_at, updated_at)
     VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid, $6, $7, $8, $9::timestamptz, $10, $11::timestamptz, $11::timestamptz)`,
    [
      id,
      tenantId,
      siteId,
      ticket.spaceId ?? null,
      acting.userId,
      ticket.title,
      ticket.description,
      ticket.priority,
      slaDue.toISOString(),
      acting.syscallId,
      now.toISOString(),
    ],
  );
  return loadTicket(tx, tenantId, id, now);
}

/**
 * Changes a ticket's status, priority or assignee. A new priority moves the due time, counted from
 * when the ticket was filed. Resolving or closing records when (once); reopening clears it. People:
 * admins may change anything, an assignee may move their ticket's status.
 */
/** What an update would make of the ticket, checked but not written: for dry runs and for updateTicketIn. */
export async function planTicketUpdate(
  tx: Tx,
  tenantId: string,
  input: TicketUpdate,
  acting: Acting,
  now = new Date(),
): Promise<{ before: Ticket; after: Ticket }> {
  const change = parsed(ticketUpdate, input);
  const current = await loadTicket(tx, tenantId, change.ticketId, now);
  if (acting.role !== null && !isFacilitiesManager(acting.role)) {
    const onlyStatus = change.priority === undefined && change.assigneeId === undefined;
    if (!onlyStatus || current.assigneeId !== acting.userId)
      throw new AppError("FORBIDDEN", "Only admins, or the assignee for its status, can change this ticket");
  }
  if (change.assigneeId) await requireMember(tx, tenantId, change.assigneeId, "assigneeId");
  const status = change.status ?? current.status;
  const priority = change.priority ?? current.priority;
  const done = status === "resolved" || status === "closed";
  const resolvedAt = done ? (current.resolvedAt ?? now) : null;
  const site = await getSite(tx, tenantId, current.siteId);
  const slaDue =
    priority === current.priority ? current.slaDueAt : slaDueAt(priority, current.createdAt, site.timeZone);
  const assigneeId = change.assigneeId === undefined ? current.assigneeId : change.assigneeId;
  const after: Ticket = {
    ...current,
    status,
    priority,
    slaDueAt: slaDue,
    assigneeId,
    resolvedAt,
    breached: isBreached({ slaDueAt: slaDue, resolvedAt }, now),
  };
  return { before: current, after };
}

/**
 * Changes a ticket's status, priority or assignee. A new priority moves the due time, counted from
 * when the ticket was filed. Resolving or closing records when (once); reopening clears it. People:
 * admins may change anything, an assignee may move their ticket's status.
 */
export async function updateTicketIn(
  tx: Tx,
  tenantId: string,
  input: TicketUpdate,
  acting: Acting,
  now = new Date(),
): Promise<Ticket> {
  const { after } = await planTicketUpdate(tx, tenantId, input, acting, now);
  await sqlOf(tx).query(
    `UPDATE facilities.maintenance_ticket
        SET status = $3, priority = $4, sla_due_at = $5::timestamptz, assignee_id = $6::uuid, resolved_at = $7::timestamptz,
            updated_at = $8::timestamptz
      WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [
      tenantId,
      after.id,
      after.status,
      after.priority,
      after.slaDueAt.toISOString(),
      after.assigneeId,
      after.resolvedAt?.toISOString() ?? null,
      now.toISOString(),
    ],
  );
  return loadTicket(tx, tenantId, after.id, now);
}

async function auditTicket(
  ctx: TenantContext,
  action: string,
  ticket: Ticket,
  detail: Record<string, string | null>,
) {
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action,
    resource: { type: "maintenance_ticket", id: ticket.id, label: ticket.title },
    outcome: "succeeded",
    detail,
  });
}

export async function createTicket(
  ctx: TenantContext,
  input: TicketInput,
  now = new Date(),
): Promise<Ticket> {
  const ticket = await createTicketIn(ctx.db, ctx.tenantId, input, actingOf(ctx), now);
  await auditTicket(ctx, "facilities.ticket_created", ticket, {
    priority: ticket.priority,
    slaDueAt: ticket.slaDueAt.toISOString(),
  });
  return ticket;
}

export async function updateTicket(
  ctx: TenantContext,
  input: TicketUpdate,
  now = new Date(),
): Promise<Ticket> {
  const { before } = await planTicketUpdate(ctx.db, ctx.tenantId, input, actingOf(ctx), now);
  const after = await updateTicketIn(ctx.db, ctx.tenantId, input, actingOf(ctx), now);
  const detail: Record<string, string | null> = {};
  if (before.status !== after.status) detail.status = `${before.status} → ${after.status}`;
  if (before.priority !== after.priority) detail.priority = `${before.priority} → ${after.priority}`;
  if (before.assigneeId !== after.assigneeId) detail.assigneeId = after.assigneeId;
  if (Object.keys(detail).length > 0) await auditTicket(ctx, "facilities.ticket_updated", after, detail);
  return after;
}

/** Tickets, soonest due first, optionally of some statuses and priorities. */
export async function listTickets(
  ctx: TenantContext,
  filter: { status?: TicketStatus[]; priority?: TicketPriority[]; siteId?: string } = {},
  now = new Date(),
): Promise<Ticket[]> {
  const f = parsed(
    z.object({
      status: z.array(z.enum(TICKET_STATUSES)).optional(),
      priority: z.array(z.enum(TICKET_PRIORITIES)).optional(),
      siteId: z.uuid().optional(),
    }),
    filter,
  );
  const rows = await sqlOf(ctx.db).query<TicketRow>(
    `SELECT ${TICKET_COLUMNS} FROM facilities.maintenance_ticket
      WHERE tenant_id = $1::uuid AND ($2::text[] IS NULL OR status = ANY ($2::text[]))
        AND ($3::text[] IS NULL OR priority = ANY ($3::text[])) AND ($4::uuid IS NULL OR site_id = $4::uuid)
      ORDER BY sla_due_at, created_at, id`,
    [ctx.tenantId, f.status ?? null, f.priority ?? null, f.siteId ?? null],
  );
  return rows.map((r) => toTicket(r, now));
}

export async function getTicket(ctx: TenantContext, ticketId: string, now = new Date()): Promise<Ticket> {
  return loadTicket(ctx.db, ctx.tenantId, ticketId, now);
}

import { defineDriver, type DriverContext, type DryRun } from "@/connectors/sdk";
import { AppError } from "@/server/errors";
import type { Tx } from "@/server/db/client";
import { isFacilitiesManager, type Acting } from "@/server/facilities/common";
import { memberActor } from "@/server/tenancy/members";
import {
  cancelBookingIn,
  conflictMessage,
  createBookingIn,
  previewBooking,
  previewCancel,
  type BookingView,
} from "@/server/facilities/bookings";
import { formatSlot } from "@/server/facilities/schedule";
import { getSpace, type SpaceKind } from "@/server/facilities/spaces";
import {
  createTicketIn,
  planTicket,
  planTicketUpdate,
  updateTicketIn,
  type Ticket,
} from "@/server/facilities/tickets";
import { planVisitor, registerVisitorIn } from "@/server/facilities/visitors";
import { facilitiesManifest, type BookInput, type BookOutput, type TicketOutput } from "./manifest";

/**
 * A thin adapter over server/facilities: each call runs in the tenant's row-level-security
 * transaction as the member it acts for (`ctx.actor`, as the kernel verified it, with their
 * membership's role), and carries the syscall id, so a retried syscall returns what its first attempt
 * made. A booking's booker and a ticket's reporter are that member; only a facilities manager (owner
 * or admin) names another member instead. A visitor's host and who may cancel a booking or change a
 * ticket are checked by the domain against the actor, as in the app.
 */

/** The member the call acts for, with their role; someone who is no active member does nothing. */
async function actorOf(tx: Tx, ctx: DriverContext): Promise<Acting> {
  const member = await memberActor(tx, ctx.tenantId, ctx.actor.userId).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "NOT_FOUND")
      throw new AppError("FORBIDDEN", `${ctx.actor.label} is not an active member of this tenant`);
    throw error;
  });
  return { userId: member.userId, role: member.role, syscallId: ctx.syscallId };
}

/**
 * Acting for the person a booking or a ticket is for: the actor, or the member `named` when the actor
 * is a facilities manager. Naming someone else never lets anyone else act as them.
 */
async function actingFor(
  tx: Tx,
  ctx: DriverContext,
  named: string | undefined,
  field: "bookedBy" | "reporterId",
): Promise<Acting> {
  const self = await actorOf(tx, ctx);
  if (named === undefined || named === self.userId) return self;
  if (!isFacilitiesManager(self.role)) {
    const message = `Only admins act for another member; this call acts for ${ctx.actor.label}`;
    throw new AppError("FORBIDDEN", `${field}: ${message}`, { fields: { [field]: [message] } });
  }
  return { ...self, userId: named };
}

const bookingOutput = (b: BookingView): BookOutput => ({
  bookingId: b.id,
  spaceId: b.spaceId,
  status: b.status,
  timeZone: b.timeZone,
  rrule: b.rrule,
  occurrences: b.occurrences
    .filter((o) => !o.cancelled)
    .map((o) => ({ start: o.start.toISOString(), end: o.end.toISOString() })),
});

const ticketOutput = (t: Ticket): TicketOutput => ({
  ticketId: t.id,
  siteId: t.siteId,
  spaceId: t.spaceId,
  title: t.title,
  priority: t.priority,
  status: t.status,
  slaDueAt: t.slaDueAt.toISOString(),
  assigneeId: t.assigneeId,
  resolvedAt: t.resolvedAt?.toISOString() ?? null,
  breached: t.breached,
});

/** An approver saw `spaceName` in the preview: a name that is not the space's is refused, not booked. */
function checkSpaceName(input: BookInput, actual: string): void {
  if (input.spaceName !== undefined && input.spaceName !== actual)
    throw new AppError("BAD_REQUEST", `spaceName: The space is called ${actual}, not ${input.spaceName}`, {
      fields: { spaceName: [`The space is called ${actual}, not ${input.spaceName}`] },
    });
}

const bookingInputOf = (input: BookInput) => ({
  spaceId: input.spaceId,
  title: input.title,
  start: input.start,
  end: input.end,
  timeZone: input.timeZone,
  rrule: input.rrule,
  until: input.until,
  private: input.private,
});

function book(kind: SpaceKind) {
  return {
    run: (input: BookInput, ctx: DriverContext) =>
      ctx.tenant(async (tx) => {
        checkSpaceName(input, (await getSpace(tx, ctx.tenantId, input.spaceId, false)).name);
        const booking = await createBookingIn(
          tx,
          ctx.tenantId,
          bookingInputOf(input),
          await actingFor(tx, ctx, input.bookedBy, "bookedBy"),
          {
            kind,
          },
        );
        return bookingOutput(booking);
      }),
    dryRun: (input: BookInput, ctx: DriverContext): Promise<DryRun> =>
      ctx.tenant(async (tx) => {
        const { space, plan, conflicts } = await previewBooking(
          tx,
          ctx.tenantId,
          bookingInputOf(input),
          await actingFor(tx, ctx, input.bookedBy, "bookedBy"),
          { kind },
        );
        checkSpaceName(input, space.name);
        const tz = plan.schedule.timeZone;
        return {
          changes: [
            {
              op: "create",
              object: `Booking of ${space.name}`,
              fields: {
                title: { to: input.title },
                timeZone: { to: tz },
                ...(plan.rrule ? { rrule: { to: plan.rrule } } : {}),
                occurrences: { to: plan.occurrences.length },
              },
            },
            ...plan.occurrences.map((o) => ({
              op: "create" as const,
              object: `${space.name}, ${formatSlot(o, tz, { year: true })}`,
            })),
          ],
          warnings: conflicts.map((c) => conflictMessage(space, c, tz)),
        };
      }),
  };
}

export const facilitiesDriver = defineDriver(facilitiesManifest, {
  roomBook: book("room"),
  deskBook: book("desk"),
  equipmentBook: book("equipment"),
  bookingCancel: {
    run: (input, ctx) =>
      ctx.tenant(async (tx) => {
        const result = await cancelBookingIn(tx, ctx.tenantId, input, await actorOf(tx, ctx));
        return {
          bookingId: result.bookingId,
          cancelled: result.cancelled,
          freed: result.freed.map((f) => ({ start: f.start.toISOString(), end: f.end.toISOString() })),
          status: result.status,
        };
      }),
    dryRun: (input, ctx) =>
      ctx.tenant(async (tx) => {
        const { booking, freed } = await previewCancel(tx, ctx.tenantId, input);
        return {
          changes: freed.map((o) => ({
            op: "update" as const,
            object: `${booking.space_name} booking "${booking.title}", ${formatSlot(o, booking.time_zone, { year: true })}`,
            fields: { status: { from: "confirmed", to: "cancelled" } },
          })),
          warnings: freed.length === 0 ? ["Nothing to cancel: it is already cancelled"] : [],
        };
      }),
  },
  ticketCreate: {
    run: (input, ctx) =>
      ctx.tenant(async (tx) =>
        ticketOutput(
          await createTicketIn(
            tx,
            ctx.tenantId,
            input,
            await actingFor(tx, ctx, input.reporterId, "reporterId"),
          ),
        ),
      ),
    dryRun: (input, ctx) =>
      ctx.tenant(async (tx) => {
        const { ticket, site, slaDue } = await planTicket(
          tx,
          ctx.tenantId,
          input,
          await actingFor(tx, ctx, input.reporterId, "reporterId"),
        );
        return {
          changes: [
            {
              op: "create",
              object: `Maintenance ticket "${ticket.title}" at ${site.name}`,
              fields: { priority: { to: ticket.priority }, slaDueAt: { to: slaDue.toISOString() } },
            },
          ],
          warnings: [],
        };
      }),
  },
  ticketUpdate: {
    run: (input, ctx) =>
      ctx.tenant(async (tx) =>
        ticketOutput(await updateTicketIn(tx, ctx.tenantId, input, await actorOf(tx, ctx))),
      ),
    dryRun: (input, ctx) =>
      ctx.tenant(async (tx) => {
        const { before, after } = await planTicketUpdate(tx, ctx.tenantId, input, await actorOf(tx, ctx));
        const fields: Record<string, { from: string | null; to: string | null }> = {};
        if (before.status !== after.status) fields.status = { from: before.status, to: after.status };
        if (before.priority !== after.priority)
          fields.priority = { from: before.priority, to: after.priority };
        if (before.slaDueAt.getTime() !== after.slaDueAt.getTime())
          fields.slaDueAt = { from: before.slaDueAt.toISOString(), to: after.slaDueAt.toISOString() };
        if (before.assigneeId !== after.assigneeId)
          fields.assigneeId = { from: before.assigneeId, to: after.assigneeId };
        return {
          changes:
            Object.keys(fields).length > 0
              ? [{ op: "update", object: `Maintenance ticket "${before.title}"`, fields }]
              : [],
          warnings: after.breached
            ? [`The ticket is past its due time (${after.slaDueAt.toISOString()})`]
            : [],
        };
      }),
  },
  visitorRegister: {
    run: (input, ctx) =>
      ctx.tenant(async (tx) => {
        const v = await registerVisitorIn(tx, ctx.tenantId, input, await actorOf(tx, ctx));
        if (v.hostId === null) throw new AppError("INTERNAL", "A visitor was registered without a host");
        return {
          visitorId: v.id,
          siteId: v.siteId,
          hostId: v.hostId,
          name: v.name,
          expectedAt: v.expectedAt.toISOString(),
          status: v.status,
        };
      }),
    dryRun: (input, ctx) =>
      ctx.tenant(async (tx) => {
        const { visitor, site } = await planVisitor(tx, ctx.tenantId, input, await actorOf(tx, ctx));
        return {
          changes: [
            {
              op: "create",
              object: `Visitor ${visitor.name} at ${site.name}`,
              fields: { expectedAt: { to: visitor.expectedAt }, hostId: { to: input.hostId } },
            },
          ],
          warnings: [],
        };
      }),
  },
});

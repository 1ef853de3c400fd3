import { z } from "zod";
import { defineAction, defineManifest } from "@/connectors/sdk";
import { AppError } from "@/server/errors";
import type { ActionName } from "@/server/kernel/access/schema";
import type { LeaseClaim } from "@/server/kernel/tools/registry";
import { formatSlot, planBooking, type BookingPlan } from "@/server/facilities/schedule";

/**
 * Facilities, built in: bookings of rooms, desks and equipment, maintenance tickets and visitors, on
 * the tenant's own data (server/facilities/). A booking leases `space:<id>` for each of its
 * occurrences, so the kernel refuses a second booking of an overlapping slot while the first runs;
 * the database's exclusion constraint refuses it afterwards.
 */

const isoInstant = z.iso.datetime({ offset: true });
const userId = z.uuid("Use a member's user id");

function planOf(input: {
  start: string;
  end: string;
  timeZone: string;
  rrule?: string | null;
  until?: string | null;
}): BookingPlan {
  return planBooking(input);
}

/** Refuses, as a schema issue, times that planBooking refuses: bad input never reaches a lease or the driver. */
const bookInput = z
  .object({
    spaceId: z.uuid("Choose a space"),
    /** How people call the space, for previews; the driver refuses a name that is not the space's. */
    spaceName: z.string().trim().min(1).max(200).optional(),
    title: z.string().trim().min(1, "Title is required").max(200),
    /** An instant (`2026-12-01T08:00:00Z`) or a wall-clock time in timeZone (`2026-12-01T09:00`). */
    start: z.string().trim().min(1).max(40),
    end: z.string().trim().min(1).max(40),
    /** IANA zone whose wall clock a series repeats on, e.g. Europe/Berlin. */
    timeZone: z.string().trim().min(1).max(64),
    rrule: z.string().trim().max(500).nullish(),
    until: z.string().trim().max(40).nullish(),
    private: z.boolean().default(false),
    /** The member the booking is for: the call's actor when left out; only admins name another member. */
    bookedBy: userId.optional(),
  })
  .superRefine((input, issues) => {
    try {
      planOf(input);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const fields = error.fields ?? { start: [error.message] };
      for (const [field, messages] of Object.entries(fields))
        for (const message of messages) issues.addIssue({ code: "custom", path: [field], message });
    }
  });
export type BookInput = z.output<typeof bookInput>;

const slot = z.object({ start: isoInstant, end: isoInstant });

const bookOutput = z.object({
  bookingId: z.uuid(),
  spaceId: z.uuid(),
  status: z.enum(["confirmed", "cancelled"]),
  timeZone: z.string(),
  rrule: z.string().nullable(),
  occurrences: z.array(slot).min(1),
});
export type BookOutput = z.output<typeof bookOutput>;

const cancelInput = z.object({
  bookingId: z.uuid("Choose a booking"),
  /** Cancels only the occurrence starting at this instant. */
  occurrenceStart: isoInstant.nullish(),
});
const cancelOutput = z.object({
  bookingId: z.uuid(),
  cancelled: z.enum(["booking", "occurrence"]),
  freed: z.array(slot),
  status: z.enum(["confirmed", "cancelled"]),
});

const priority = z.enum(["low", "normal", "high", "urgent"]);
const ticketStatus = z.enum(["open", "in_progress", "resolved", "closed"]);

const ticketCreateInput = z
  .object({
    siteId: z.uuid("Choose a site").optional(),
    spaceId: z.uuid("Choose a space").optional(),
    title: z.string().trim().min(1, "Title is required").max(200),
    description: z.string().trim().max(10_000).default(""),
    priority: priority.default("normal"),
    /** The member reporting it: the call's actor when left out; only admins name another member. */
    reporterId: userId.optional(),
  })
  .refine((t) => t.siteId !== undefined || t.spaceId !== undefined, {
    message: "Say which site or space needs work",
    path: ["siteId"],
  });

const ticketUpdateInput = z
  .object({
    ticketId: z.uuid("Choose a ticket"),
    status: ticketStatus.optional(),
    priority: priority.optional(),
    assigneeId: userId.nullish(),
  })
  .refine((t) => t.status !== undefined || t.priority !== undefined || t.assigneeId !== undefined, {
    message: "Change the status, the priority or the assignee",
    path: ["status"],
  });

const ticketOutput = z.object({
  ticketId: z.uuid(),
  siteId: z.uuid(),
  spaceId: z.uuid().nullable(),
  title: z.string(),
  priority,
  status: ticketStatus,
  slaDueAt: isoInstant,
  assigneeId: z.uuid().nullable(),
  resolvedAt: isoInstant.nullable(),
  breached: z.boolean(),
});
export type TicketOutput = z.output<typeof ticketOutput>;

const visitorInput = z.object({
  siteId: z.uuid("Choose a site"),
  hostId: userId,
  name: z.string().trim().min(1, "Name is required").max(200),
  email: z.email("Use an email address").max(320).optional(),
  company: z.string().trim().max(200).optional(),
  expectedAt: isoInstant,
});
const visitorOutput = z.object({
  visitorId: z.uuid(),
  siteId: z.uuid(),
  hostId: z.uuid(),
  name: z.string(),
  expectedAt: isoInstant,
  status: z.enum(["expected", "checked_in", "checked_out", "cancelled"]),
});

/** One claim per occurrence: the kernel refuses a call whose slot overlaps one held by a running call. */
export function bookingClaims(input: BookInput): LeaseClaim[] {
  return planOf(input).occurrences.map((o) => ({ key: `space:${input.spaceId}`, from: o.start, to: o.end }));
}

/** "Book Boardroom, Tue 1 Dec 09:00–10:00 (Europe/Berlin)", and for a series how often and until when. */
export function describeBooking(input: BookInput): string {
  const what = input.spaceName ?? `space ${input.spaceId}`;
  const plan = planOf(input);
  const [first] = plan.occurrences;
  const last = plan.occurrences.at(-1);
  if (!first || !last) return `Book ${what}`;
  const when = formatSlot(first, input.timeZone);
  if (plan.occurrences.length === 1) return `Book ${what}, ${when}`;
  const lastDay = formatSlot(last, input.timeZone, { year: true }).split(" ").slice(0, 4).join(" ");
  return `Book ${what}, ${when}, ${plan.occurrences.length} times until ${lastDay}`;
}

const bookAction = (action: ActionName, kind: string) =>
  defineAction({
    action,
    title: `Book ${kind}`,
    effect: "write",
    input: bookInput,
    output: bookOutput,
    reversible: {
      by: "facilities.booking.cancel",
      input: (_input, output) => ({ bookingId: output.bookingId }),
    },
    resources: bookingClaims,
    onConflict: "fail",
    scopes: [],
    timeoutMs: 15_000,
    describe: describeBooking,
  });

export const facilitiesManifest = defineManifest({
  id: "facilities",
  version: "1.0.0",
  name: "Facilities",
  category: "facilities",
  description: "Book rooms, desks and equipment, report maintenance issues and register visitors.",
  auth: { type: "built-in" },
  actions: {
    roomBook: bookAction("facilities.room.book", "a room"),
    deskBook: bookAction("facilities.desk.book", "a desk"),
    equipmentBook: bookAction("facilities.equipment.book", "equipment"),
    bookingCancel: defineAction({
      action: "facilities.booking.cancel",
      title: "Cancel a booking",
      effect: "write",
      input: cancelInput,
      output: cancelOutput,
      // A cancelled slot may be taken by someone else at once; booking it again is a new booking.
      reversible: false,
      scopes: [],
      timeoutMs: 15_000,
      describe: (input) =>
        input.occurrenceStart
          ? `Cancel the ${input.occurrenceStart} occurrence of booking ${input.bookingId}`
          : `Cancel booking ${input.bookingId}`,
    }),
    ticketCreate: defineAction({
      action: "facilities.ticket.create",
      title: "Report a maintenance issue",
      effect: "write",
      input: ticketCreateInput,
      output: ticketOutput,
      reversible: {
        by: "facilities.ticket.update",
        input: (_input, output) => ({ ticketId: output.ticketId, status: "closed" }),
      },
      scopes: [],
      timeoutMs: 15_000,
      describe: (input) => `Report "${input.title}" (${input.priority} priority)`,
    }),
    ticketUpdate: defineAction({
      action: "facilities.ticket.update",
      title: "Update a maintenance ticket",
      effect: "write",
      input: ticketUpdateInput,
      output: ticketOutput,
      reversible: false,
      scopes: [],
      timeoutMs: 15_000,
      describe: (input) => {
        const changes = [
          input.status && `status ${input.status}`,
          input.priority && `priority ${input.priority}`,
          input.assigneeId === null ? "unassign" : input.assigneeId && `assign to ${input.assigneeId}`,
        ].filter(Boolean);
        return `Update ticket ${input.ticketId}: ${changes.join(", ")}`;
      },
    }),
    visitorRegister: defineAction({
      action: "facilities.visitor.register",
      title: "Register a visitor",
      effect: "write",
      input: visitorInput,
      output: visitorOutput,
      reversible: false,
      scopes: [],
      timeoutMs: 15_000,
      describe: (input) =>
        `Register visitor ${input.name}${input.company ? ` (${input.company})` : ""}, expected ${input.expectedAt}`,
    }),
  },
});

import type { Tx } from "@/server/db/client";
import type { Syscall } from "@/server/kernel/kernel";
import { loadBookingRow } from "./bookings";
import { getSpace, type SpaceKind } from "./spaces";

/**
 * The kernel syscalls for the facilities connector's actions, with the resource attributes the
 * tenant's policies look at taken from the database and from the very input the driver will act on
 * (the default pack lets people cancel bookings whose `booker` they are, register visitors they
 * `host`, and report tickets as their `reporter`). Built here, in one place, so that no caller can
 * describe one resource to the access manager and act on another.
 */

const BOOK_ACTIONS = {
  room: { action: "facilities.room.book", type: "Room" },
  desk: { action: "facilities.desk.book", type: "Desk" },
  equipment: { action: "facilities.equipment.book", type: "Equipment" },
} as const satisfies Record<SpaceKind, { action: Syscall["action"]; type: string }>;

export type BookSyscallInput = {
  spaceId: string;
  title: string;
  start: string;
  end: string;
  timeZone?: string;
  rrule?: string | null;
  until?: string | null;
  private?: boolean;
  bookedBy?: string;
};

/** Books the space with the action for its kind, in its site's zone unless the input names one. */
export async function bookSyscall(tx: Tx, tenantId: string, input: BookSyscallInput): Promise<Syscall> {
  const space = await getSpace(tx, tenantId, input.spaceId, false);
  const { action, type } = BOOK_ACTIONS[space.kind];
  return {
    action,
    resource: { type, id: space.id, attrs: {} },
    resourceLabel: space.name,
    input: { ...input, spaceName: space.name, timeZone: input.timeZone ?? space.timeZone },
  };
}

/** The booker is the booking's, read from the database; a booking nobody is named on has none. */
export async function cancelSyscall(
  tx: Tx,
  tenantId: string,
  input: { bookingId: string; occurrenceStart?: string | null },
): Promise<Syscall> {
  const booking = await loadBookingRow(tx, tenantId, input.bookingId);
  return {
    action: "facilities.booking.cancel",
    resource: { type: "Booking", id: booking.id, attrs: { bookerId: booking.booked_by ?? "nobody" } },
    resourceLabel: `${booking.space_name}: ${booking.title}`,
    input,
  };
}

export function ticketCreateSyscall(input: {
  reporterId: string;
  title: string;
  siteId?: string;
  spaceId?: string;
  description?: string;
  priority?: "low" | "normal" | "high" | "urgent";
}): Syscall {
  return {
    action: "facilities.ticket.create",
    resource: { type: "MaintenanceTicket", id: "new", attrs: { reporterId: input.reporterId } },
    resourceLabel: input.title,
    input,
  };
}

export function visitorRegisterSyscall(input: {
  hostId: string;
  siteId: string;
  name: string;
  email?: string;
  company?: string;
  expectedAt: string;
}): Syscall {
  return {
    action: "facilities.visitor.register",
    resource: { type: "Visitor", id: "new", attrs: { hostId: input.hostId } },
    resourceLabel: input.name,
    input,
  };
}

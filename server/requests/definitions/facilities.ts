import { bookSyscall, ticketCreateSyscall } from "@/server/facilities/syscalls";
import { maintenanceForm, roomBookingForm } from "../forms";
import { defineRequest } from "../definition";

/** A room for a meeting: booked at once as the requester; a slot already taken is a conflict. */
export const roomBooking = defineRequest({
  type: "room-booking",
  title: "Room booking",
  description: "Book a meeting room; you get it at once if it is free.",
  category: "facilities",
  audience: "everyone",
  form: roomBookingForm,
  defaultRule: { levels: [] },
  async prepare({ tx, tenantId, requester }, input) {
    const syscall = await bookSyscall(tx, tenantId, {
      spaceId: input.spaceId,
      title: input.title,
      start: input.start,
      end: input.end,
      private: input.private,
      bookedBy: requester.id,
    });
    return {
      title: `${syscall.resourceLabel ?? "Room"}: ${input.title}, ${input.start.replace("T", " ")}–${input.end.slice(11)}`,
      steps: [{ key: "book", as: "requester", syscall }],
    };
  },
});

/** Something broken in the office: a facilities ticket with the tenant's SLA for its priority. */
export const maintenance = defineRequest({
  type: "maintenance",
  title: "Maintenance issue",
  description: "Report something broken or needing repair; facilities gets a ticket.",
  category: "facilities",
  audience: "everyone",
  form: maintenanceForm,
  defaultRule: { levels: [] },
  prepare({ requester }, input) {
    const syscall = ticketCreateSyscall({
      reporterId: requester.id,
      spaceId: input.spaceId,
      title: input.title,
      description: input.description,
      priority: input.priority,
    });
    return { title: input.title, steps: [{ key: "ticket", as: "requester", syscall }] };
  },
});

import { getSite } from "@/server/facilities/spaces";
import { listTickets } from "@/server/facilities/tickets";
import { openTicketsInput, openTicketsOutput } from "./open-tickets.types";
import { memberProcedure } from "./procedure";

/** Maintenance tickets not yet resolved, soonest due first, with their SLA breach as of now. */
export const openTickets = memberProcedure
  .input(openTicketsInput)
  .output(openTicketsOutput)
  .query(async ({ ctx, input }) => {
    if (input.siteId !== undefined) await getSite(ctx.scope.db, ctx.scope.tenantId, input.siteId);
    const tickets = await listTickets(ctx.scope, { status: ["open", "in_progress"], siteId: input.siteId });
    return tickets.map((t) => ({
      id: t.id,
      siteId: t.siteId,
      spaceId: t.spaceId,
      title: t.title,
      priority: t.priority,
      status: t.status,
      slaDueAt: t.slaDueAt,
      breached: t.breached,
      createdAt: t.createdAt,
    }));
  });

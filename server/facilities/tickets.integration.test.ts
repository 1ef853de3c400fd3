/** Maintenance tickets on a real database: SLA due times, breaches computed on read, who may change what. */
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import { createTestTenant, testDb, type TestTenant, type TestUser } from "@/server/testing/fixtures";
import type { Space } from "./spaces";
import { asMember, createTestSite } from "./testing";
import { createTicket, isBreached, listTickets, slaDueAt, updateTicket } from "./tickets";

let acme: TestTenant;
let ada: TestUser;
let bob: TestUser;
let admin: TestUser;
let siteId: string;
let boardroom: Space;

const db = testDb;

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the call to be refused");
}

beforeAll(async () => {
  acme = await createTestTenant(db(), "acme");
  ada = await acme.add("employee");
  bob = await acme.add("employee");
  admin = await acme.add("admin");
  const made = await createTestSite(acme, "Europe/Berlin");
  siteId = made.site.id;
  [boardroom] = made.spaces as [Space];
});

describe("SLA due times", () => {
  it("follows the table: urgent 4 h, high 1 business day, normal 3 days, low 10 days", () => {
    // Friday 27 November 2026, 15:00 in Berlin (14:00 UTC).
    const friday = new Date("2026-11-27T14:00:00Z");
    expect(slaDueAt("urgent", friday, "Europe/Berlin")).toEqual(new Date("2026-11-27T18:00:00Z"));
    // The next business day after a Friday is Monday, same wall-clock time.
    expect(slaDueAt("high", friday, "Europe/Berlin")).toEqual(new Date("2026-11-30T14:00:00Z"));
    expect(slaDueAt("high", new Date("2026-11-24T14:00:00Z"), "Europe/Berlin")).toEqual(
      new Date("2026-11-25T14:00:00Z"),
    );
    // Filed on a Saturday: due Monday.
    expect(slaDueAt("high", new Date("2026-11-28T09:00:00Z"), "Europe/Berlin")).toEqual(
      new Date("2026-11-30T09:00:00Z"),
    );
    expect(slaDueAt("normal", friday, "Europe/Berlin")).toEqual(new Date("2026-11-30T14:00:00Z"));
    expect(slaDueAt("low", friday, "Europe/Berlin")).toEqual(new Date("2026-12-07T14:00:00Z"));
    // Business days are counted on the site's calendar: filed 23:30 Friday in Tokyo, due 23:30 Monday there.
    expect(slaDueAt("high", new Date("2026-11-27T14:30:00Z"), "Asia/Tokyo")).toEqual(
      new Date("2026-11-30T14:30:00Z"),
    );
  });

  it("a breach is computed on read: past due and unresolved, or resolved late", () => {
    const due = new Date("2026-11-27T18:00:00Z");
    expect(isBreached({ slaDueAt: due, resolvedAt: null }, new Date("2026-11-27T17:59:00Z"))).toBe(false);
    expect(isBreached({ slaDueAt: due, resolvedAt: null }, new Date("2026-11-27T18:01:00Z"))).toBe(true);
    expect(
      isBreached(
        { slaDueAt: due, resolvedAt: new Date("2026-11-27T17:00:00Z") },
        new Date("2026-12-30T00:00:00Z"),
      ),
    ).toBe(false);
    expect(
      isBreached(
        { slaDueAt: due, resolvedAt: new Date("2026-11-27T19:00:00Z") },
        new Date("2026-11-27T19:00:00Z"),
      ),
    ).toBe(true);
  });
});

describe("maintenance tickets", () => {
  const filed = new Date("2026-11-27T14:00:00Z");

  it("stores the due time, flags the breach on read and lists soonest due first", async () => {
    const urgent = await asMember(db(), acme, ada, (ctx) =>
      createTicket(ctx, { spaceId: boardroom.id, title: "Water on the floor", priority: "urgent" }, filed),
    );
    expect(urgent).toMatchObject({
      siteId,
      spaceId: boardroom.id,
      reporterId: ada.userId,
      status: "open",
      slaDueAt: new Date("2026-11-27T18:00:00Z"),
      breached: false,
    });
    const low = await asMember(db(), acme, ada, (ctx) =>
      createTicket(ctx, { siteId, title: "Loose tile", priority: "low" }, filed),
    );
    const high = await asMember(db(), acme, ada, (ctx) =>
      createTicket(ctx, { siteId, title: "Heating off", priority: "high" }, filed),
    );
    const stored = await withTenant(db(), { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ due: string }>(
        `SELECT to_char(sla_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS due FROM facilities.maintenance_ticket WHERE id = $1::uuid`,
        [high.id],
      ),
    );
    expect(stored).toEqual([{ due: "2026-11-30T14:00" }]);

    const lateAfternoon = new Date("2026-11-27T19:00:00Z");
    const open = await asMember(db(), acme, admin, (ctx) =>
      listTickets(ctx, { status: ["open"] }, lateAfternoon),
    );
    const ours = open.filter((t) => [urgent.id, low.id, high.id].includes(t.id));
    expect(ours.map((t) => [t.title, t.breached])).toEqual([
      ["Water on the floor", true],
      ["Heating off", false],
      ["Loose tile", false],
    ]);
    const urgentOnly = await asMember(db(), acme, admin, (ctx) =>
      listTickets(ctx, { priority: ["urgent"] }, lateAfternoon),
    );
    expect(urgentOnly.every((t) => t.priority === "urgent")).toBe(true);
  });

  it("assigns, resolves once, moves the due time with the priority, and keeps people to their part", async () => {
    const ticket = await asMember(db(), acme, ada, (ctx) =>
      createTicket(ctx, { siteId, title: "Blinds stuck", priority: "normal" }, filed),
    );
    expect(
      (
        await refusal(
          asMember(db(), acme, ada, (ctx) => updateTicket(ctx, { ticketId: ticket.id, status: "closed" })),
        )
      ).code,
    ).toBe("FORBIDDEN");
    const assigned = await asMember(db(), acme, admin, (ctx) =>
      updateTicket(ctx, { ticketId: ticket.id, assigneeId: bob.userId, priority: "urgent" }, filed),
    );
    expect(assigned).toMatchObject({
      assigneeId: bob.userId,
      priority: "urgent",
      slaDueAt: new Date("2026-11-27T18:00:00Z"),
    });
    // The assignee may move the status, not the priority.
    expect(
      (
        await refusal(
          asMember(db(), acme, bob, (ctx) => updateTicket(ctx, { ticketId: ticket.id, priority: "low" })),
        )
      ).code,
    ).toBe("FORBIDDEN");
    const resolvedAt = new Date("2026-11-27T17:30:00Z");
    const resolved = await asMember(db(), acme, bob, (ctx) =>
      updateTicket(ctx, { ticketId: ticket.id, status: "resolved" }, resolvedAt),
    );
    expect(resolved).toMatchObject({ status: "resolved", resolvedAt, breached: false });
    // Closing later keeps the time it was resolved.
    const closed = await asMember(db(), acme, admin, (ctx) =>
      updateTicket(ctx, { ticketId: ticket.id, status: "closed" }, new Date("2026-12-01T00:00:00Z")),
    );
    expect(closed.resolvedAt).toEqual(resolvedAt);
    const reopened = await asMember(db(), acme, admin, (ctx) =>
      updateTicket(ctx, { ticketId: ticket.id, status: "open" }, new Date("2026-12-01T00:00:00Z")),
    );
    expect(reopened).toMatchObject({ resolvedAt: null, breached: true });
    expect(
      (
        await refusal(
          asMember(db(), acme, admin, (ctx) =>
            updateTicket(ctx, { ticketId: ticket.id, assigneeId: acme.id }),
          ),
        )
      ).fields,
    ).toEqual({ assigneeId: ["Not a member of this tenant"] });
  });

  it("refuses a ticket without a place, or with a space at another site, writing nothing", async () => {
    const before = await asMember(db(), acme, admin, (ctx) => listTickets(ctx));
    expect(
      (await refusal(asMember(db(), acme, ada, (ctx) => createTicket(ctx, { title: "Somewhere" })))).fields,
    ).toHaveProperty("siteId");
    const other = await createTestSite(acme, "Europe/London");
    expect(
      (
        await refusal(
          asMember(db(), acme, ada, (ctx) =>
            createTicket(ctx, { siteId: other.site.id, spaceId: boardroom.id, title: "Mixed up" }),
          ),
        )
      ).fields,
    ).toHaveProperty("spaceId");
    expect(await asMember(db(), acme, admin, (ctx) => listTickets(ctx))).toHaveLength(before.length);
  });

  it("the database refuses a resolved ticket without a resolution time", async () => {
    const ticket = await asMember(db(), acme, ada, (ctx) => createTicket(ctx, { siteId, title: "Bulb out" }));
    await expect(
      withTenant(db(), { tenantId: acme.id }, (tx) =>
        sqlOf(tx).query(`UPDATE facilities.maintenance_ticket SET status = 'resolved' WHERE id = $1::uuid`, [
          ticket.id,
        ]),
      ),
    ).rejects.toThrow(/check constraint/);
  });
});

/**
 * The Facilities page's API over HTTP (tRPC's fetch adapter and the real router): who reads and who
 * manages sites and spaces, the calendar feed URL and its rotation, upcoming bookings with private
 * titles hidden, open tickets with their SLA breach, another tenant's ids, and bad input.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createBooking } from "@/server/facilities/bookings";
import { asMember, createTestSite } from "@/server/facilities/testing";
import { createTicket } from "@/server/facilities/tickets";
import { registerVisitor } from "@/server/facilities/visitors";
import {
  createTestTenant,
  testDb,
  withOwner,
  type TestTenant,
  type TestUser,
  callAs,
  expectOk,
} from "@/server/testing/fixtures";
import { createSiteOutput } from "./create-site.types";
import { createSpaceOutput } from "./create-space.types";
import { feedUrlOutput } from "./feed-url.types";
import { openTicketsOutput } from "./open-tickets.types";
import { sitesOutput } from "./sites.types";
import { spacesOutput } from "./spaces.types";
import { todaysVisitorsOutput } from "./todays-visitors.types";
import { upcomingBookingsOutput } from "./upcoming-bookings.types";

const db = testDb();
let acme: TestTenant;
let globex: TestTenant;
let acmeAdmin: TestUser;
let acmeEmployee: TestUser;

beforeAll(async () => {
  acme = await createTestTenant(db, "acme");
  globex = await createTestTenant(db, "globex");
  acmeAdmin = await acme.add("admin");
  acmeEmployee = await acme.add("employee");
});

/** What the facilities procedures could write in a tenant, read as the database owner. */
const written = (tenant: TestTenant) =>
  withOwner(async (c) => ({
    sites: (
      await c.query(`SELECT id, name FROM facilities.site WHERE tenant_id = $1 ORDER BY id`, [tenant.id])
    ).rows,
    spaces: (
      await c.query(`SELECT id, name, feed_token FROM facilities.space WHERE tenant_id = $1 ORDER BY id`, [
        tenant.id,
      ])
    ).rows,
    audit: (await c.query(`SELECT seq FROM "AuditEntry" WHERE "tenantId" = $1`, [tenant.id])).rows.length,
  }));

const tokenOf = (url: string) => new URL(url).searchParams.get("token");

describe("facilities router: sites and spaces", () => {
  it("lets an admin add a site and a space, and every member read them without the feed token", async () => {
    const site = expectOk(
      await callAs(acmeAdmin, acme, "facilities.createSite", {
        name: "Berlin office",
        timeZone: "Europe/Berlin",
      }),
      createSiteOutput,
    );
    const space = expectOk(
      await callAs(acmeAdmin, acme, "facilities.createSpace", {
        siteId: site.id,
        kind: "room",
        name: "Spree",
        capacity: 10,
        features: ["screen", "whiteboard"],
      }),
      createSpaceOutput,
    );
    expect(space).toMatchObject({ kind: "room", capacity: 10, features: ["screen", "whiteboard"] });
    const sites = expectOk(await callAs(acmeEmployee, acme, "facilities.sites"), sitesOutput);
    expect(sites).toContainEqual({
      id: site.id,
      name: "Berlin office",
      timeZone: "Europe/Berlin",
      address: "",
    });
    const spaces = await callAs(acmeEmployee, acme, "facilities.spaces", { siteId: site.id });
    expect(expectOk(spaces, spacesOutput)).toEqual([space]);
    const raw = await withOwner(
      async (c) =>
        (
          await c.query<{ feed_token: string }>(`SELECT feed_token FROM facilities.space WHERE id = $1`, [
            space.id,
          ])
        ).rows[0]?.feed_token,
    );
    expect(raw).toBeTruthy();
    expect(JSON.stringify(spaces)).not.toContain(raw ?? "no token");
  });

  it("refuses employees adding sites and spaces or reading feed URLs, and writes nothing", async () => {
    const { site, spaces } = await createTestSite(acme);
    const space = spaces[0];
    if (!space) throw new Error("no space");
    const before = await written(acme);
    const attempts = [
      await callAs(acmeEmployee, acme, "facilities.createSite", { name: "Mine", timeZone: "Europe/Berlin" }),
      await callAs(acmeEmployee, acme, "facilities.createSpace", {
        siteId: site.id,
        kind: "desk",
        name: "D1",
      }),
      await callAs(acmeEmployee, acme, "facilities.feedUrl", { spaceId: space.id }),
      await callAs(acmeEmployee, acme, "facilities.rotateFeedToken", { spaceId: space.id }),
      await callAs(acmeEmployee, acme, "facilities.todaysVisitors", { siteId: site.id }),
    ];
    expect(attempts.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    for (const r of attempts) expect(r.error?.message).toMatch(/cannot do this/);
    expect(await written(acme)).toEqual(before);
  });

  it("gives admins the feed URL, and rotating it stops the old token at once", async () => {
    const { spaces } = await createTestSite(acme);
    const space = spaces[0];
    if (!space) throw new Error("no space");
    const first = expectOk(
      await callAs(acmeAdmin, acme, "facilities.feedUrl", { spaceId: space.id }),
      feedUrlOutput,
    );
    expect(first.url).toMatch(
      new RegExp(`/api/facilities/feeds/${space.id}\\.ics\\?token=[A-Za-z0-9_-]{40,}$`),
    );
    const rotated = expectOk(
      await callAs(acme.owner, acme, "facilities.rotateFeedToken", { spaceId: space.id }),
      feedUrlOutput,
    );
    expect(tokenOf(rotated.url)).not.toBe(tokenOf(first.url));
    const again = expectOk(
      await callAs(acmeAdmin, acme, "facilities.feedUrl", { spaceId: space.id }),
      feedUrlOutput,
    );
    expect(again.url).toBe(rotated.url);
    const audit = await withOwner(
      async (c) =>
        (
          await c.query<{ detail: unknown }>(
            `SELECT detail FROM "AuditEntry" WHERE "tenantId" = $1 AND action = 'facilities.feed_token_rotated'`,
            [acme.id],
          )
        ).rows,
    );
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(tokenOf(rotated.url) ?? "no token");
  });

  it("answers NOT_FOUND for another tenant's site and space ids, and Acme is unchanged", async () => {
    const { site, spaces } = await createTestSite(acme);
    const space = spaces[0];
    if (!space) throw new Error("no space");
    const before = await written(acme);
    const attempts = [
      await callAs(globex.owner, globex, "facilities.spaces", { siteId: site.id }),
      await callAs(globex.owner, globex, "facilities.createSpace", {
        siteId: site.id,
        kind: "room",
        name: "X",
      }),
      await callAs(globex.owner, globex, "facilities.feedUrl", { spaceId: space.id }),
      await callAs(globex.owner, globex, "facilities.rotateFeedToken", { spaceId: space.id }),
      await callAs(globex.owner, globex, "facilities.upcomingBookings", { spaceId: space.id }),
      await callAs(globex.owner, globex, "facilities.openTickets", { siteId: site.id }),
      await callAs(globex.owner, globex, "facilities.todaysVisitors", { siteId: site.id }),
    ];
    expect(attempts.map((r) => r.status)).toEqual(Array(7).fill(404));
    expect(JSON.stringify(attempts)).not.toContain(space.name);
    expect(await written(acme)).toEqual(before);
    expect(
      expectOk(await callAs(globex.owner, globex, "facilities.sites"), sitesOutput).map((s) => s.id),
    ).not.toContain(site.id);
  });

  it("answers bad input with BAD_REQUEST naming the field, and writes nothing", async () => {
    const { site } = await createTestSite(acme);
    const before = await written(acme);
    const bad = [
      await callAs(acmeAdmin, acme, "facilities.createSite", { name: " ", timeZone: "Europe/Berlin" }),
      await callAs(acmeAdmin, acme, "facilities.createSite", { name: "Somewhere", timeZone: "Nowhere/Land" }),
      await callAs(acmeAdmin, acme, "facilities.createSpace", { siteId: site.id, kind: "sofa", name: "S" }),
      await callAs(acmeAdmin, acme, "facilities.createSpace", {
        siteId: site.id,
        kind: "room",
        name: "R",
        capacity: -2,
      }),
      await callAs(acmeAdmin, acme, "facilities.feedUrl", { spaceId: "not-a-uuid" }),
    ];
    expect(bad.map((r) => r.status)).toEqual(Array(5).fill(400));
    expect(bad.map((r) => Object.keys(r.error?.data.fieldErrors ?? {}))).toEqual([
      ["name"],
      ["timeZone"],
      ["kind"],
      ["capacity"],
      ["spaceId"],
    ]);
    expect(await written(acme)).toEqual(before);
  });
});

describe("facilities router: bookings, tickets and visitors", () => {
  it("lists a space's upcoming bookings, hiding another member's private title", async () => {
    const { spaces } = await createTestSite(acme, "UTC");
    const space = spaces[0];
    if (!space) throw new Error("no space");
    const tomorrow = new Date(Date.now() + 86_400_000);
    const at = (hour: number) => `${tomorrow.toISOString().slice(0, 10)}T${String(hour).padStart(2, "0")}:00`;
    await asMember(db, acme, acmeAdmin, (ctx) =>
      createBooking(ctx, {
        spaceId: space.id,
        title: "Board prep",
        start: at(9),
        end: at(10),
        private: true,
      }),
    );
    await asMember(db, acme, acmeEmployee, (ctx) =>
      createBooking(ctx, { spaceId: space.id, title: "Team sync", start: at(11), end: at(12) }),
    );
    const seen = expectOk(
      await callAs(acmeEmployee, acme, "facilities.upcomingBookings", { spaceId: space.id }),
      upcomingBookingsOutput,
    );
    expect(seen.map((b) => b.title)).toEqual([null, "Team sync"]);
    expect(JSON.stringify(seen)).not.toContain("Board prep");
    const byBooker = expectOk(
      await callAs(acmeAdmin, acme, "facilities.upcomingBookings", { spaceId: space.id }),
      upcomingBookingsOutput,
    );
    expect(byBooker.map((b) => b.title)).toEqual(["Board prep", "Team sync"]);
  });

  it("lists open tickets soonest due first with the SLA breach; resolved ones are not open", async () => {
    const tenant = await createTestTenant(db, "tickets");
    const { site } = await createTestSite(tenant, "UTC");
    const longAgo = new Date(Date.now() - 30 * 86_400_000);
    await tenant.asOwner((ctx) =>
      createTicket(ctx, { siteId: site.id, title: "Leak", priority: "urgent" }, longAgo),
    );
    await tenant.asOwner((ctx) =>
      createTicket(ctx, { siteId: site.id, title: "Squeaky door", priority: "low" }),
    );
    const employee = await tenant.add("employee");
    const tickets = expectOk(await callAs(employee, tenant, "facilities.openTickets", {}), openTicketsOutput);
    expect(tickets.map((t) => [t.title, t.priority, t.status, t.breached])).toEqual([
      ["Leak", "urgent", "open", true],
      ["Squeaky door", "low", "open", false],
    ]);
    expect(tickets[0]?.slaDueAt.getTime()).toBeLessThan(Date.now());
  });

  it("shows owners and admins today's visitors at a site", async () => {
    // A site whose clock reads about noon now, so the visitor due in an hour is due today there.
    const offset = new Date().getUTCHours() - 12;
    const zone = offset === 0 ? "Etc/GMT" : offset > 0 ? `Etc/GMT+${offset}` : `Etc/GMT-${-offset}`;
    const { site } = await createTestSite(acme, zone);
    const inAnHour = new Date(Date.now() + 3_600_000);
    await asMember(db, acme, acmeEmployee, (ctx) =>
      registerVisitor(ctx, { siteId: site.id, name: "Vera Visitor", expectedAt: inAnHour.toISOString() }),
    );
    const visitors = expectOk(
      await callAs(acmeAdmin, acme, "facilities.todaysVisitors", { siteId: site.id }),
      todaysVisitorsOutput,
    );
    expect(visitors.map((v) => [v.name, v.status])).toEqual([["Vera Visitor", "expected"]]);
  });
});

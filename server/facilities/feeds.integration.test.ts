/**
 * iCalendar feeds and invites: the feed function with the right and wrong token, what it contains
 * (RFC 5545: one VEVENT per booking with its RRULE and EXDATEs, lines folded to 75 octets), a real HTTP
 * request to the route's handler, and the invite only for members of the booking's tenant.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unfoldLines } from "@/server/calendar/ics";
import { createTestTenant, testDb, type TestTenant, type TestUser } from "@/server/testing/fixtures";
import { cancelBooking, createBooking } from "./bookings";
import { bookingInviteFor, feedResponse, inviteResponse, spaceFeed } from "./feeds";
import { rotateFeedToken, type Space } from "./spaces";
import { asMember, createTestSite } from "./testing";

let acme: TestTenant;
let globex: TestTenant;
let ada: TestUser;
let bob: TestUser;
let boardroom: Space;
let token: string;
let seriesId: string;
let privateId: string;

const db = testDb;
const encoder = new TextEncoder();

/** Physical lines (CRLF-separated, before unfolding); each must be at most 75 octets (RFC 5545 §3.1). */
const physicalLines = (ics: string) =>
  ics.split("\r\n").filter((l, i, all) => !(i === all.length - 1 && l === ""));
const events = (ics: string) => {
  const lines = unfoldLines(ics);
  const found: string[][] = [];
  let current: string[] | null = null;
  for (const line of lines) {
    if (line === "BEGIN:VEVENT") current = [];
    else if (line === "END:VEVENT" && current) {
      found.push(current);
      current = null;
    } else current?.push(line);
  }
  return found;
};
const prop = (event: string[], name: string) =>
  event.filter((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`));

beforeAll(async () => {
  acme = await createTestTenant(db(), "acme");
  globex = await createTestTenant(db(), "globex");
  ada = await acme.add("employee");
  bob = await acme.add("employee");
  const made = await createTestSite(acme, "Europe/Berlin", [
    { name: "Boardroom Ünterlinden, the long one by the stairs" },
  ]);
  [boardroom] = made.spaces as [Space];
  token = boardroom.feedToken ?? "";
  const series = await asMember(db(), acme, ada, (ctx) =>
    createBooking(ctx, {
      spaceId: boardroom.id,
      title: "Weekly planning; budgets, hiring — and the long agenda that goes on and on past the fold",
      start: "2026-12-01T09:00",
      end: "2026-12-01T10:00",
      rrule: "FREQ=WEEKLY;COUNT=4",
    }),
  );
  seriesId = series.id;
  const second = series.occurrences[1];
  if (!second) throw new Error("four occurrences expected");
  await asMember(db(), acme, ada, (ctx) =>
    cancelBooking(ctx, { bookingId: series.id, occurrenceStart: second.start.toISOString() }),
  );
  privateId = (
    await asMember(db(), acme, bob, (ctx) =>
      createBooking(ctx, {
        spaceId: boardroom.id,
        title: "Interview",
        start: "2026-12-02T14:00",
        end: "2026-12-02T15:00",
        private: true,
      }),
    )
  ).id;
  const cancelled = await asMember(db(), acme, bob, (ctx) =>
    createBooking(ctx, {
      spaceId: boardroom.id,
      title: "Called off",
      start: "2026-12-03T14:00",
      end: "2026-12-03T15:00",
    }),
  );
  await asMember(db(), acme, bob, (ctx) => cancelBooking(ctx, { bookingId: cancelled.id }));
});

describe("a space's feed", () => {
  it("is a calendar of its confirmed bookings: one VEVENT each, RRULE and EXDATE for a series, private ones as Busy", async () => {
    const ics = await spaceFeed(db(), boardroom.id, token);
    if (ics === null) throw new Error("the right token must open the feed");
    const lines = unfoldLines(ics);
    expect(lines[0]).toBe("BEGIN:VCALENDAR");
    expect(lines.at(-1)).toBe("END:VCALENDAR");
    expect(lines).toContain("VERSION:2.0");
    expect(lines).toContain("BEGIN:VTIMEZONE");
    expect(ics.endsWith("\r\n")).toBe(true);
    for (const line of physicalLines(ics)) expect(encoder.encode(line).length).toBeLessThanOrEqual(75);

    const vevents = events(ics);
    expect(vevents).toHaveLength(2);
    const [series, interview] = vevents as [string[], string[]];
    expect(prop(series, "UID")).toEqual([`UID:${seriesId}@tenet`]);
    expect(prop(series, "DTSTART")).toEqual(["DTSTART;TZID=Europe/Berlin:20261201T090000"]);
    expect(prop(series, "DTEND")).toEqual(["DTEND;TZID=Europe/Berlin:20261201T100000"]);
    expect(prop(series, "RRULE")).toEqual(["RRULE:FREQ=WEEKLY;COUNT=4"]);
    expect(prop(series, "EXDATE")).toEqual(["EXDATE;TZID=Europe/Berlin:20261208T090000"]);
    expect(prop(series, "SEQUENCE")).toEqual(["SEQUENCE:1"]);
    // TEXT escaping (RFC 5545 §3.3.11): the semicolon and comma are escaped.
    expect(prop(series, "SUMMARY")).toEqual([
      "SUMMARY:Weekly planning\\; budgets\\, hiring — and the long agenda that goes on and on past the fold",
    ]);
    expect(prop(interview, "SUMMARY")).toEqual(["SUMMARY:Busy"]);
    expect(ics).not.toContain("Interview");
    expect(ics).not.toContain("Called off");
  });

  it("is refused for a wrong, rotated or malformed token and an unknown space", async () => {
    expect(await spaceFeed(db(), boardroom.id, "x".repeat(43))).toBeNull();
    expect(await spaceFeed(db(), boardroom.id, "")).toBeNull();
    expect(await spaceFeed(db(), "3b0c5d0e-8a7f-4f8e-9a53-7e7c8b6d5f40", token)).toBeNull();
    expect(await spaceFeed(db(), "not-a-uuid", token)).toBeNull();
    const rotated = await acme.asOwner((ctx) => rotateFeedToken(ctx, boardroom.id));
    expect(rotated.feedToken).not.toBe(token);
    expect(await spaceFeed(db(), boardroom.id, token)).toBeNull();
    token = rotated.feedToken ?? "";
    expect(await spaceFeed(db(), boardroom.id, token)).not.toBeNull();
  });
});

describe("over HTTP", () => {
  let server: Server;
  let base: string;
  /** A tiny server that hands each request to the route handlers' functions, as Next.js would. */
  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const feed = /^\/api\/facilities\/feeds\/([^/]+)$/.exec(url.pathname);
      const signedIn = req.headers["x-test-user"];
      const invite = /^\/api\/facilities\/bookings\/([^/]+)\/invite\.ics$/.exec(url.pathname);
      const respond = feed?.[1]
        ? feedResponse(db(), decodeURIComponent(feed[1]), url.searchParams.get("token"))
        : invite?.[1]
          ? inviteResponse(db(), typeof signedIn === "string" ? { userId: signedIn } : null, invite[1])
          : Promise.resolve(new Response("Not found", { status: 404 }));
      void respond.then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("serves the feed as text/calendar with the right token, 404 otherwise", async () => {
    const ok = await fetch(
      `${base}/api/facilities/feeds/${boardroom.id}.ics?token=${encodeURIComponent(token)}`,
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(ok.headers.get("cache-control")).toBe("private, max-age=300");
    const body = await ok.text();
    expect(body.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    expect(events(body)).toHaveLength(2);
    for (const path of [
      `/api/facilities/feeds/${boardroom.id}.ics?token=wrong${"x".repeat(40)}`,
      `/api/facilities/feeds/${boardroom.id}.ics`,
      `/api/facilities/feeds/${boardroom.id}?token=${encodeURIComponent(token)}`,
    ]) {
      const refused = await fetch(`${base}${path}`);
      expect(refused.status, path).toBe(404);
      expect(await refused.text()).not.toContain("VCALENDAR");
    }
  });

  it("serves an invite to members of the booking's tenant only", async () => {
    const path = `/api/facilities/bookings/${seriesId}/invite.ics`;
    const forBob = await fetch(`${base}${path}`, { headers: { "x-test-user": bob.userId } });
    expect(forBob.status).toBe(200);
    const invite = unfoldLines(await forBob.text());
    expect(invite).toContain("METHOD:REQUEST");
    expect(invite.some((l) => l.startsWith("ORGANIZER;CN=acme employee:mailto:"))).toBe(true);
    expect(invite.some((l) => l.startsWith("ATTENDEE;CUTYPE=ROOM;"))).toBe(true);
    expect((await fetch(`${base}${path}`)).status).toBe(404);
    expect((await fetch(`${base}${path}`, { headers: { "x-test-user": globex.owner.userId } })).status).toBe(
      404,
    );
  });
});

describe("invites", () => {
  it("hide a private booking's title from other members, and cancel a cancelled booking", async () => {
    const forAda = await bookingInviteFor(db(), ada.userId, privateId);
    expect(forAda).toContain("SUMMARY:Busy");
    const forBob = await bookingInviteFor(db(), bob.userId, privateId);
    expect(forBob).toContain("SUMMARY:Interview");
    await asMember(db(), acme, bob, (ctx) => cancelBooking(ctx, { bookingId: privateId }));
    const cancelled = unfoldLines((await bookingInviteFor(db(), bob.userId, privateId)) ?? "");
    expect(cancelled).toContain("METHOD:CANCEL");
    expect(cancelled).toContain("STATUS:CANCELLED");
    expect(await bookingInviteFor(db(), globex.owner.userId, privateId)).toBeNull();
  });
});

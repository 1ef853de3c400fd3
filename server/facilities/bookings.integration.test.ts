/**
 * Bookings on a real database: recurrence that stays on the site's wall clock across DST, conflicts
 * that name the clashing occurrence and its holder, cancelling that frees the slot, and the exclusion
 * constraint refusing overlaps however they are inserted, concurrent domain calls included.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import { createTestTenant, testDb, type TestTenant, type TestUser } from "@/server/testing/fixtures";
import {
  cancelBooking,
  createBooking,
  getBooking,
  listBookings,
  spaceAvailability,
  type BookingInput,
} from "./bookings";
import { createSpace, type Space } from "./spaces";
import { asMember, createTestSite } from "./testing";

let acme: TestTenant;
let globex: TestTenant;
let ada: TestUser;
let bob: TestUser;
let admin: TestUser;
let boardroom: Space;
let desk: Space;
let siteId: string;

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

const book = (
  user: TestUser,
  input: Partial<BookingInput> & { start: string; end: string },
  space = boardroom,
) => asMember(db(), acme, user, (ctx) => createBooking(ctx, { spaceId: space.id, title: "Sync", ...input }));

const rowCounts = (spaceId: string) =>
  withTenant(db(), { tenantId: acme.id }, async (tx) => {
    const [row] = await sqlOf(tx).query<{ bookings: string; occurrences: string }>(
      `SELECT (SELECT count(*) FROM facilities.booking WHERE space_id = $1::uuid)::text AS bookings,
              (SELECT count(*) FROM facilities.booking_occurrence WHERE space_id = $1::uuid)::text AS occurrences`,
      [spaceId],
    );
    return { bookings: Number(row?.bookings), occurrences: Number(row?.occurrences) };
  });

beforeAll(async () => {
  acme = await createTestTenant(db(), "acme");
  globex = await createTestTenant(db(), "globex");
  ada = await acme.add("employee");
  bob = await acme.add("employee");
  admin = await acme.add("admin");
  const made = await createTestSite(acme, "Europe/Berlin", [
    { name: "Boardroom" },
    { name: "Desk 12", kind: "desk" },
  ]);
  siteId = made.site.id;
  [boardroom, desk] = made.spaces as [Space, Space];
});

describe("booking a space", () => {
  it("books one slot on the site's clock when no zone is given", async () => {
    const booking = await book(ada, {
      start: "2026-12-01T09:00",
      end: "2026-12-01T10:00",
      title: "Planning",
    });
    expect(booking).toMatchObject({
      spaceName: "Boardroom",
      bookedBy: ada.userId,
      title: "Planning",
      timeZone: "Europe/Berlin",
      rrule: null,
      status: "confirmed",
      seriesId: null,
    });
    expect(booking.occurrences).toEqual([
      {
        id: expect.any(String) as string,
        start: new Date("2026-12-01T08:00:00Z"),
        end: new Date("2026-12-01T09:00:00Z"),
        cancelled: false,
      },
    ]);
  });

  it("keeps a weekly 09:00 series at 09:00 local across the DST change, one row per occurrence", async () => {
    const series = await book(ada, {
      start: "2026-10-13T09:00",
      end: "2026-10-13T09:30",
      rrule: "FREQ=WEEKLY;COUNT=4",
      title: "Stand-up",
    });
    expect(series.rrule).toBe("FREQ=WEEKLY;COUNT=4");
    expect(series.seriesId).toBe(series.id);
    expect(series.recurrenceUntil).toEqual(new Date("2026-11-03T08:00:00Z"));
    // 13 and 20 Oct are summer time (UTC+2), 27 Oct and 3 Nov winter time (UTC+1): 09:00 local each time.
    expect(series.occurrences.map((o) => o.start.toISOString())).toEqual([
      "2026-10-13T07:00:00.000Z",
      "2026-10-20T07:00:00.000Z",
      "2026-10-27T08:00:00.000Z",
      "2026-11-03T08:00:00.000Z",
    ]);
  });

  it("refuses a clash with a CONFLICT naming the first clashing occurrence and its holder, and writes nothing", async () => {
    await book(ada, {
      start: "2027-01-12T09:00",
      end: "2027-01-12T10:00",
      title: "Board prep",
      private: true,
    });
    const before = await rowCounts(boardroom.id);
    const error = await refusal(
      book(bob, { start: "2027-01-05T09:30", end: "2027-01-05T10:30", rrule: "FREQ=WEEKLY;COUNT=3" }),
    );
    expect(error.code).toBe("CONFLICT");
    // The second occurrence clashes; Ada's booking is private, so Bob sees her name and the time, no title.
    expect(error.message).toBe(
      "Boardroom is not free Tue 12 Jan 2027 09:30–10:30 (Europe/Berlin): acme employee holds it Tue 12 Jan 2027 09:00–10:00 (Europe/Berlin)",
    );
    expect(await rowCounts(boardroom.id)).toEqual(before);

    // Not private: the title is shown.
    await book(ada, { start: "2027-01-13T09:00", end: "2027-01-13T10:00", title: "Quarterly review" });
    const open = await refusal(book(bob, { start: "2027-01-13T09:00", end: "2027-01-13T09:15" }));
    expect(open.message).toMatch(
      /holds it Wed 13 Jan 2027 09:00–10:00 \(Europe\/Berlin\) \("Quarterly review"\)$/,
    );
  });

  it("treats slots as half-open: a booking may start when the previous one ends", async () => {
    await book(ada, { start: "2027-02-01T09:00", end: "2027-02-01T10:00" });
    const next = await book(bob, { start: "2027-02-01T10:00", end: "2027-02-01T11:00" });
    expect(next.status).toBe("confirmed");
  });

  it("refuses bad input with field errors and writes nothing", async () => {
    const before = await rowCounts(boardroom.id);
    const bad = await refusal(book(ada, { start: "2027-03-01T10:00", end: "2027-03-01T09:00", title: " " }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.fields).toHaveProperty("title");
    const zone = await refusal(
      book(ada, { start: "2027-03-01T09:00", end: "2027-03-01T10:00", timeZone: "CET+1" }),
    );
    expect(zone.fields).toHaveProperty("timeZone");
    const endless = await refusal(
      book(ada, { start: "2027-03-01T09:00", end: "2027-03-01T10:00", rrule: "FREQ=DAILY" }),
    );
    expect(endless.fields).toHaveProperty("until");
    expect(await rowCounts(boardroom.id)).toEqual(before);
  });

  it("refuses a space that is not bookable, and another tenant's space as not found", async () => {
    const closed = await acme.asOwner((ctx) =>
      createSpace(ctx, { siteId, kind: "room", name: "Closed room", bookable: false }),
    );
    expect(
      (await refusal(book(ada, { start: "2027-03-01T09:00", end: "2027-03-01T10:00" }, closed))).message,
    ).toBe("spaceId: Closed room cannot be booked");
    const other = await refusal(
      withTenant(db(), { tenantId: globex.id }, (tx) =>
        createBooking(
          {
            tenantId: globex.id,
            actor: { userId: globex.owner.userId, membershipId: globex.owner.membershipId, role: "owner" },
            db: tx,
          },
          { spaceId: boardroom.id, title: "Sneaky", start: "2027-03-01T09:00", end: "2027-03-01T10:00" },
        ),
      ),
    );
    expect(other.code).toBe("NOT_FOUND");
  });
});

describe("cancelling", () => {
  it("frees the slot: a cancelled booking no longer blocks it", async () => {
    const first = await book(ada, { start: "2027-04-06T14:00", end: "2027-04-06T15:00" });
    expect((await refusal(book(bob, { start: "2027-04-06T14:00", end: "2027-04-06T15:00" }))).code).toBe(
      "CONFLICT",
    );
    const result = await asMember(db(), acme, ada, (ctx) => cancelBooking(ctx, { bookingId: first.id }));
    expect(result).toEqual({
      bookingId: first.id,
      cancelled: "booking",
      freed: [{ start: new Date("2027-04-06T12:00:00Z"), end: new Date("2027-04-06T13:00:00Z") }],
      status: "cancelled",
    });
    expect((await book(bob, { start: "2027-04-06T14:00", end: "2027-04-06T15:00" })).status).toBe(
      "confirmed",
    );
    // Again: nothing more to free, and no error.
    const again = await asMember(db(), acme, ada, (ctx) => cancelBooking(ctx, { bookingId: first.id }));
    expect(again.freed).toEqual([]);
  });

  it("cancels one occurrence of a series, which frees that slot only; the last one cancels the booking", async () => {
    const series = await book(ada, {
      start: "2027-05-03T09:00",
      end: "2027-05-03T10:00",
      rrule: "FREQ=DAILY;COUNT=2",
    });
    const [day1, day2] = series.occurrences;
    if (!day1 || !day2) throw new Error("two occurrences expected");
    const one = await asMember(db(), acme, ada, (ctx) =>
      cancelBooking(ctx, { bookingId: series.id, occurrenceStart: day2.start.toISOString() }),
    );
    expect(one).toMatchObject({
      cancelled: "occurrence",
      status: "confirmed",
      freed: [{ start: day2.start }],
    });
    expect((await book(bob, { start: "2027-05-04T09:00", end: "2027-05-04T10:00" })).status).toBe(
      "confirmed",
    );
    expect((await refusal(book(bob, { start: "2027-05-03T09:00", end: "2027-05-03T10:00" }))).code).toBe(
      "CONFLICT",
    );
    const after = await asMember(db(), acme, ada, (ctx) => getBooking(ctx, series.id));
    expect(after.sequence).toBe(1);
    const last = await asMember(db(), acme, ada, (ctx) =>
      cancelBooking(ctx, { bookingId: series.id, occurrenceStart: day1.start.toISOString() }),
    );
    expect(last.status).toBe("cancelled");
  });

  it("lets the booker and admins cancel, nobody else", async () => {
    const booking = await book(ada, { start: "2027-06-01T09:00", end: "2027-06-01T10:00" });
    expect(
      (await refusal(asMember(db(), acme, bob, (ctx) => cancelBooking(ctx, { bookingId: booking.id })))).code,
    ).toBe("FORBIDDEN");
    expect(
      (await asMember(db(), acme, admin, (ctx) => cancelBooking(ctx, { bookingId: booking.id }))).status,
    ).toBe("cancelled");
  });
});

describe("availability and lists", () => {
  it("gives a space's busy and free slots over a range, without private titles for others", async () => {
    await book(ada, { start: "2027-07-01T09:00", end: "2027-07-01T10:00", title: "Secret", private: true });
    await book(bob, { start: "2027-07-01T11:00", end: "2027-07-01T12:00", title: "Open" });
    const range = { spaceId: boardroom.id, from: "2027-07-01T06:00:00Z", to: "2027-07-01T12:00:00Z" };
    const seenByBob = await asMember(db(), acme, bob, (ctx) => spaceAvailability(ctx, range));
    expect(seenByBob.busy.map((b) => [b.start.toISOString(), b.title])).toEqual([
      ["2027-07-01T07:00:00.000Z", null],
      ["2027-07-01T09:00:00.000Z", "Open"],
    ]);
    expect(seenByBob.free.map((f) => [f.start.toISOString(), f.end.toISOString()])).toEqual([
      ["2027-07-01T06:00:00.000Z", "2027-07-01T07:00:00.000Z"],
      ["2027-07-01T08:00:00.000Z", "2027-07-01T09:00:00.000Z"],
      ["2027-07-01T10:00:00.000Z", "2027-07-01T12:00:00.000Z"],
    ]);
    const seenByAda = await asMember(db(), acme, ada, (ctx) => spaceAvailability(ctx, range));
    expect(seenByAda.busy[0]?.title).toBe("Secret");

    const mine = await asMember(db(), acme, bob, (ctx) =>
      listBookings(ctx, { from: "2027-07-01T00:00:00Z", to: "2027-07-02T00:00:00Z", mine: true }),
    );
    expect(mine.map((m) => m.title)).toEqual(["Open"]);
    expect(
      (
        await refusal(
          asMember(db(), acme, bob, (ctx) =>
            listBookings(ctx, { from: "2027-01-01T00:00:00Z", to: "2027-12-31T00:00:00Z" }),
          ),
        )
      ).fields,
    ).toHaveProperty("to");
  });
});

describe("the database's wall against double booking", () => {
  it("refuses an overlapping occurrence inserted directly with SQL, and accepts it once the other is cancelled", async () => {
    const held = await book(ada, { start: "2027-08-02T09:00", end: "2027-08-02T10:00" });
    const insert = () =>
      withTenant(db(), { tenantId: acme.id }, async (tx) => {
        const sql = sqlOf(tx);
        const [row] = await sql.query<{ id: string }>(
          `INSERT INTO facilities.booking (tenant_id, space_id, title, starts_at, ends_at, local_start, time_zone)
           VALUES ($1::uuid, $2::uuid, 'Direct', '2027-08-02T07:30:00Z', '2027-08-02T08:30:00Z', '2027-08-02T09:30', 'Europe/Berlin')
           RETURNING id::text`,
          [acme.id, boardroom.id],
        );
        await sql.query(
          `INSERT INTO facilities.booking_occurrence (tenant_id, booking_id, space_id, local_start, starts_at, ends_at)
           VALUES ($1::uuid, $2::uuid, $3::uuid, '2027-08-02T09:30', '2027-08-02T07:30:00Z', '2027-08-02T08:30:00Z')`,
          [acme.id, row?.id, boardroom.id],
        );
      });
    await expect(insert()).rejects.toThrow(/booking_occurrence_no_overlap/);
    await asMember(db(), acme, ada, (ctx) => cancelBooking(ctx, { bookingId: held.id }));
    await expect(insert()).resolves.toBeUndefined();
  });

  it("refuses an occurrence whose space is not its booking's space", async () => {
    const booking = await book(ada, { start: "2027-08-03T09:00", end: "2027-08-03T10:00" });
    await expect(
      withTenant(db(), { tenantId: acme.id }, (tx) =>
        sqlOf(tx).query(
          `INSERT INTO facilities.booking_occurrence (tenant_id, booking_id, space_id, local_start, starts_at, ends_at)
           VALUES ($1::uuid, $2::uuid, $3::uuid, '2027-08-04T09:00', '2027-08-04T07:00:00Z', '2027-08-04T08:00:00Z')`,
          [acme.id, booking.id, desk.id],
        ),
      ),
    ).rejects.toThrow(/foreign key/);
  });

  it("two people booking one slot at the same moment: exactly one succeeds, the other gets a CONFLICT (20 rounds)", async () => {
    for (let round = 0; round < 20; round++) {
      const day = String(round + 1).padStart(2, "0");
      const slot = { start: `2027-09-${day}T09:00`, end: `2027-09-${day}T10:00` };
      const results = await Promise.allSettled([book(ada, slot), book(bob, slot)]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.flatMap((r): unknown[] => (r.status === "rejected" ? [r.reason] : []));
      expect(won, `round ${round}`).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const [error] = lost;
      if (!(error instanceof AppError)) throw error;
      expect(error.code).toBe("CONFLICT");
      expect(error.message).toMatch(/^Boardroom is not free .*: acme employee holds it /);
    }
    const day = await asMember(db(), acme, ada, (ctx) =>
      listBookings(ctx, { spaceId: boardroom.id, from: "2027-09-01T00:00:00Z", to: "2027-09-21T00:00:00Z" }),
    );
    expect(day).toHaveLength(20);
  });
});

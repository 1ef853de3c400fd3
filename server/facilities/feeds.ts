import type { PrismaClient, Tx } from "@/server/db/client";
import { withTenant, withUser } from "@/server/db/scope";
import { sqlOf, UUID_PATTERN } from "@/server/db/sql";
import { bookingInvite, roomFeed, type CalendarAttendee, type CalendarBooking } from "@/server/calendar/ics";
import { parseRRule } from "@/server/calendar/recurrence";
import { isFacilitiesManager } from "./common";
import { BOOKING_COLUMNS, type StoredBooking } from "./bookings";

/**
 * iCalendar (RFC 5545) for bookings: a space's subscription feed, opened by calendar clients with the
 * secret token in its URL and no session, and a booking's .ics invite for members of its tenant. The
 * route handlers under app/api/facilities/ are thin wrappers over the two Response functions here.
 */

/** A feed shows bookings that ended at most this long ago, and everything after. */
const FEED_HISTORY_DAYS = 90;

/** Addresses under .invalid (RFC 2606) name spaces and the facilities desk, which have no mailbox. */
const spaceAddress = (spaceId: string) => `${spaceId}@spaces.tenet.invalid`;
const FACILITIES_ORGANIZER = { email: "facilities@tenet.invalid", name: "Facilities" };

type FeedBooking = StoredBooking & { exdates: string[] | null };

function calendarBookingOf(
  row: FeedBooking,
  summary: string,
  location: string,
  people: { organizer?: CalendarBooking["organizer"]; attendees?: CalendarAttendee[] } = {},
): CalendarBooking {
  const [date = "", time = ""] = row.local_start.split("T");
  const start = new Date(row.starts_at);
  const end = new Date(row.ends_at);
  return {
    uid: `${row.id}@tenet`,
    schedule: {
      start: { date, time },
      durationMinutes: Math.round((end.getTime() - start.getTime()) / 60_000),
      timeZone: row.time_zone,
      rule: row.rrule === null ? undefined : parseRRule(row.rrule),
      exdates: (row.exdates ?? []).map((local) => {
        const [d = "", t = ""] = local.split("T");
        return { date: d, time: t };
      }),
    },
    summary,
    location,
    sequence: Number(row.sequence),
    status: row.status === "cancelled" ? "CANCELLED" : "CONFIRMED",
    updatedAt: new Date(row.updated_at),
    ...people,
  };
}

const FEED_BOOKING_QUERY = `SELECT ${BOOKING_COLUMNS},
    (SELECT array_agg(to_char(o.local_start, 'YYYY-MM-DD"T"HH24:MI') ORDER BY o.local_start)
       FROM facilities.booking_occurrence o
      WHERE o.tenant_id = b.tenant_id AND o.booking_id = b.id AND o.cancelled) AS exdates
   FROM facilities.booking b
   JOIN facilities.space sp ON sp.tenant_id = b.tenant_id AND sp.id = b.space_id`;

/**
 * The space's feed: its confirmed bookings not ended more than 90 days ago, each one VEVENT with its
 * RRULE and the cancelled occurrences as EXDATEs. Private bookings show only as "Busy". Null for an
 * unknown space or a wrong token, which the route answers with 404 alike.
 */
export async function spaceFeed(
  db: PrismaClient,
  spaceId: string,
  token: string,
  now = new Date(),
): Promise<string | null> {
  if (!UUID_PATTERN.test(spaceId) || token.length < 32 || token.length > 128) return null;
  // No tenant is known yet: the one function that maps a space and its token to a tenant.
  const [found] = await db.$queryRawUnsafe<{ tenant_id: string | null }[]>(
    `SELECT facilities.feed_tenant($1::uuid, $2)::text AS tenant_id`,
    spaceId,
    token,
  );
  const tenantId = found?.tenant_id;
  if (!tenantId) return null;
  return withTenant(db, { tenantId }, async (tx) => {
    const sql = sqlOf(tx);
    const [space] = await sql.query<{ name: string; site_name: string }>(
      `SELECT sp.name, si.name AS site_name FROM facilities.space sp
         JOIN facilities.site si ON si.tenant_id = sp.tenant_id AND si.id = sp.site_id
        WHERE sp.tenant_id = $1::uuid AND sp.id = $2::uuid`,
      [tenantId, spaceId],
    );
    if (!space) return null;
    const rows = await sql.query<FeedBooking>(
      `${FEED_BOOKING_QUERY}
        WHERE b.tenant_id = $1::uuid AND b.space_id = $2::uuid AND b.status = 'confirmed'
          AND coalesce(b.recurrence_until + (b.ends_at - b.starts_at), b.ends_at) >= $3::timestamptz
        ORDER BY b.starts_at, b.id`,
      [tenantId, spaceId, new Date(now.getTime() - FEED_HISTORY_DAYS * 86_400_000).toISOString()],
    );
    const location = `${space.name}, ${space.site_name}`;
    const bookings = rows.map((row) => calendarBookingOf(row, row.private ? "Busy" : row.title, location));
    return roomFeed({ name: `${space.name} (${space.site_name})` }, bookings);
  });
}

async function inviteIn(
  tx: Tx,
  tenantId: string,
  userId: string,
  role: Parameters<typeof isFacilitiesManager>[0],
  bookingId: string,
) {
  const [row] = await sqlOf(tx).query<
    FeedBooking & { site_name: string; booker_email: string | null; booker_name: string | null }
  >(
    `SELECT ${BOOKING_COLUMNS}, si.name AS site_name, u.email AS booker_email, u.name AS booker_name,
       (SELECT array_agg(to_char(o.local_start, 'YYYY-MM-DD"T"HH24:MI') ORDER BY o.local_start)
          FROM facilities.booking_occurrence o
         WHERE o.tenant_id = b.tenant_id AND o.booking_id = b.id AND o.cancelled AND b.status = 'confirmed') AS exdates
       FROM facilities.booking b
       JOIN facilities.space sp ON sp.tenant_id = b.tenant_id AND sp.id = b.space_id
       JOIN facilities.site si ON si.tenant_id = sp.tenant_id AND si.id = sp.site_id
       LEFT JOIN "User" u ON u.id = b.booked_by
      WHERE b.tenant_id = $1::uuid AND b.id = $2::uuid`,
    [tenantId, bookingId],
  );
  if (!row) return null;
  const own = row.booked_by === userId || isFacilitiesManager(role);
  const booker =
    row.booker_email === null ? null : { email: row.booker_email, name: row.booker_name ?? undefined };
  const booking = calendarBookingOf(
    row,
    row.private && !own ? "Busy" : row.title,
    `${row.space_name}, ${row.site_name}`,
    {
      organizer: booker ?? FACILITIES_ORGANIZER,
      attendees: [
        ...(booker ? [{ ...booker, role: "CHAIR" as const, partstat: "ACCEPTED" as const }] : []),
        {
          email: spaceAddress(row.space_id),
          name: row.space_name,
          cutype: "ROOM" as const,
          role: "NON-PARTICIPANT" as const,
          partstat: "ACCEPTED" as const,
        },
      ],
    },
  );
  return bookingInvite(booking, row.status === "cancelled" ? "CANCEL" : "REQUEST");
}

/**
 * A booking's .ics invite (METHOD:REQUEST, or CANCEL once cancelled) for `userId`, who must be an
 * active member of the booking's tenant; null otherwise, which the route answers with 404 so that
 * nobody learns whether another tenant's booking exists.
 */
export async function bookingInviteFor(
  db: PrismaClient,
  userId: string,
  bookingId: string,
): Promise<string | null> {
  if (!UUID_PATTERN.test(bookingId) || !UUID_PATTERN.test(userId)) return null;
  const memberships = await withUser(db, userId, (tx) =>
    tx.membership.findMany({
      where: { userId, deactivatedAt: null },
      select: { tenantId: true, role: true },
    }),
  );
  for (const m of memberships) {
    const invite = await withTenant(db, { tenantId: m.tenantId, userId }, (tx) =>
      inviteIn(tx, m.tenantId, userId, m.role, bookingId),
    );
    if (invite !== null) return invite;
  }
  return null;
}

const notFoundResponse = () =>
  new Response("Not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });

const calendarResponse = (body: string, filename: string) =>
  new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/calendar; charset=utf-8",
      "content-disposition": `inline; filename="${filename}"`,
      // The body is private to whoever holds the URL or the session; shared caches must not keep it.
      "cache-control": "private, max-age=300",
    },
  });

/** GET /api/facilities/feeds/<spaceId>.ics?token=<feed token>. */
export async function feedResponse(db: PrismaClient, file: string, token: string | null): Promise<Response> {
  const match = /^([0-9a-fA-F-]{36})\.ics$/.exec(file);
  if (!match?.[1] || !token) return notFoundResponse();
  const body = await spaceFeed(db, match[1].toLowerCase(), token);
  return body === null ? notFoundResponse() : calendarResponse(body, `${match[1]}.ics`);
}

/** GET /api/facilities/bookings/<bookingId>/invite.ics, for the signed-in `user` (null: not signed in). */
export async function inviteResponse(
  db: PrismaClient,
  user: { userId: string } | null,
  bookingId: string,
): Promise<Response> {
  if (!user) return notFoundResponse();
  const body = await bookingInviteFor(db, user.userId, bookingId.toLowerCase());
  return body === null ? notFoundResponse() : calendarResponse(body, `booking-${bookingId}.ics`);
}

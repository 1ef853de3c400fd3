import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Tx } from "@/server/db/client";
import { EXCLUSION_VIOLATION, hasSqlState, sqlOf } from "@/server/db/sql";
import { AppError, checkedId, notFound, parsed } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import {
  actingOf,
  isFacilitiesManager,
  iso,
  requireMember,
  trimmed,
  withSavepoint,
  type Acting,
} from "./common";
import { formatSlot, planBooking, type BookingPlan } from "./schedule";
import { getSpace, type Space, type SpaceKind } from "./spaces";

/**
 * Bookings of spaces, single or repeating. Each occurrence is a row, and the database refuses two
 * live occurrences of one space that overlap (migration …_facilities, EXCLUDE USING gist): whatever
 * checks run before, two bookings racing for one slot cannot both be stored. This module turns that
 * refusal into a CONFLICT that says which occurrence clashes and who holds the slot.
 */

const when = z.string().trim().min(1, "Give a date and time").max(40);

export const bookingInput = z.object({
  spaceId: z.uuid("Choose a space"),
  title: trimmed("Title", 200),
  start: when,
  end: when,
  /** Defaults to the space's site's time zone. */
  timeZone: z.string().trim().min(1).max(64).optional(),
  rrule: z.string().trim().max(500).nullish(),
  until: z.string().trim().max(40).nullish(),
  private: z.boolean().default(false),
});
export type BookingInput = z.input<typeof bookingInput>;

export type OccurrenceView = { id: string; start: Date; end: Date; cancelled: boolean };

export type BookingView = {
  id: string;
  spaceId: string;
  spaceName: string;
  bookedBy: string | null;
  /** Null when the booking is private and the viewer is neither its booker nor an admin. */
  title: string | null;
  private: boolean;
  start: Date;
  end: Date;
  timeZone: string;
  rrule: string | null;
  recurrenceUntil: Date | null;
  status: "confirmed" | "cancelled";
  seriesId: string | null;
  sequence: number;
  occurrences: OccurrenceView[];
};

/** An existing occurrence that a new one would overlap, as far as the one asking may see it. */
export type BookingConflict = {
  /** The new occurrence that clashes. */
  wanted: { start: Date; end: Date };
  held: { bookingId: string; start: Date; end: Date; holder: string; title: string | null };
};

type BookingRow = {
  id: string;
  space_id: string;
  space_name: string;
  booked_by: string | null;
  title: string;
  private: boolean;
  starts_at: string;
  ends_at: string;
  local_start: string;
  time_zone: string;
  rrule: string | null;
  recurrence_until: string | null;
  status: "confirmed" | "cancelled";
  series_id: string | null;
  sequence: string;
  updated_at: string;
};

export const BOOKING_COLUMNS = `b.id::text, b.space_id::text, sp.name AS space_name, b.booked_by::text, b.title, b.private,
  ${iso("b.starts_at")} AS starts_at, ${iso("b.ends_at")} AS ends_at,
  to_char(b.local_start, 'YYYY-MM-DD"T"HH24:MI') AS local_start, b.time_zone, b.rrule,
  ${iso("b.recurrence_until")} AS recurrence_until, b.status, b.series_id::text, b.sequence::text,
  ${iso("b.updated_at")} AS updated_at`;

export type StoredBooking = BookingRow;

/** Whether the viewer may read a booking's title: it is not private, or it is theirs, or they run facilities. */
const titleVisible = (row: { private: boolean; booked_by: string | null }, viewer: Acting) =>
  !row.private ||
  (viewer.userId !== null && row.booked_by === viewer.userId) ||
  isFacilitiesManager(viewer.role);

async function occurrencesOf(tx: Tx, tenantId: string, bookingId: string): Promise<OccurrenceView[]> {
  const rows = await sqlOf(tx).query<{ id: string; starts_at: string; ends_at: string; cancelled: boolean }>(
    `SELECT id::text, ${iso("starts_at")} AS starts_at, ${iso("ends_at")} AS ends_at, cancelled
       FROM facilities.booking_occurrence WHERE tenant_id = $1::uuid AND booking_id = $2::uuid ORDER BY starts_at`,
    [tenantId, bookingId],
  );
  return rows.map((r) => ({
    id: r.id,
    start: new Date(r.starts_at),
    end: new Date(r.ends_at),
    cancelled: r.cancelled,
  }));
}

export async function loadBookingRow(tx: Tx, tenantId: string, bookingId: string): Promise<BookingRow> {
  checkedId(bookingId, "Booking");
  const [row] = await sqlOf(tx).query<BookingRow>(
    `SELECT ${BOOKING_COLUMNS} FROM facilities.booking b
       JOIN facilities.space sp ON sp.tenant_id = b.tenant_id AND sp.id = b.space_id
      WHERE b.tenant_id = $1::uuid AND b.id = $2::uuid`,
    [tenantId, bookingId],
  );
  if (!row) throw notFound("Booking not found");
  return row;
}

async function view(tx: Tx, tenantId: string, row: BookingRow, viewer: Acting): Promise<BookingView> {
  return {
    id: row.id,
    spaceId: row.space_id,
    spaceName: row.space_name,
    bookedBy: row.booked_by,
    title: titleVisible(row, viewer) ? row.title : null,
    private: row.private,
    start: new Date(row.starts_at),
    end: new Date(row.ends_at),
    timeZone: row.time_zone,
    rrule: row.rrule,
    recurrenceUntil: row.recurrence_until === null ? null : new Date(row.recurrence_until),
    status: row.status,
    seriesId: row.series_id,
    sequence: Number(row.sequence),
    occurrences: await occurrencesOf(tx, tenantId, row.id),
  };
}

export async function getBooking(ctx: TenantContext, bookingId: string): Promise<BookingView> {
  return view(ctx.db, ctx.tenantId, await loadBookingRow(ctx.db, ctx.tenantId, bookingId), actingOf(ctx));
}

/**
 * The live occurrences of `spaceId` that overlap any of `wanted`, first clash first, at most `limit`.
 * `except` leaves one booking out (a booking never conflicts with itself).
 */
export async function findConflicts(
  tx: Tx,
  tenantId: string,
  spaceId: string,
  wanted: readonly { start: Date; end: Date }[],
  viewer: Acting,
  limit = 1,
): Promise<BookingConflict[]> {
  if (wanted.length === 0) return [];
  const rows = await sqlOf(tx).query<{
    wanted_start: string;
    wanted_end: string;
    booking_id: string;
    starts_at: string;
    ends_at: string;
    title: string;
    private: boolean;
    booked_by: string | null;
    holder: string | null;
  }>(
    `SELECT ${iso("w.s")} AS wanted_start, ${iso("w.e")} AS wanted_end, o.booking_id::text,
            ${iso("o.starts_at")} AS starts_at, ${iso("o.ends_at")} AS ends_at,
            b.title, b.private, b.booked_by::text, u.name AS holder
       FROM unnest($3::timestamptz[], $4::timestamptz[]) AS w(s, e)
       JOIN facilities.booking_occurrence o
         ON o.tenant_id = $1::uuid AND o.space_id = $2::uuid AND NOT o.cancelled
        AND o.during && tstzrange(w.s, w.e, '[)')
       JOIN facilities.booking b ON b.tenant_id = o.tenant_id AND b.id = o.booking_id
       LEFT JOIN "User" u ON u.id = b.booked_by
      ORDER BY greatest(w.s, o.starts_at), w.s
      LIMIT $5::int`,
    [
      tenantId,
      spaceId,
      wanted.map((w) => w.start.toISOString()),
      wanted.map((w) => w.end.toISOString()),
      limit,
    ],
  );
  return rows.map((r) => ({
    wanted: { start: new Date(r.wanted_start), end: new Date(r.wanted_end) },
    held: {
      bookingId: r.booking_id,
      start: new Date(r.starts_at),
      end: new Date(r.ends_at),
      holder: r.booked_by === null ? "an automated booking" : (r.holder ?? "a former member"),
      title: titleVisible(r, viewer) ? r.title : null,
    },
  }));
}

/** "Boardroom is not free Tue 8 Dec 2026 09:00–10:00 (Europe/Berlin): Ada Lovelace holds … ("Board sync")". */
export function conflictMessage(
  space: Pick<Space, "name">,
  conflict: BookingConflict,
  timeZone: string,
): string {
  const { wanted, held } = conflict;
  const title = held.title === null ? "" : ` ("${held.title}")`;
  return `${space.name} is not free ${formatSlot(wanted, timeZone, { year: true })}: ${held.holder} holds it ${formatSlot(held, timeZone, { year: true })}${title}`;
}

const KIND_WORDS: Record<SpaceKind, string> = { room: "a room", desk: "a desk", equipment: "equipment" };

export type CreateBookingOptions = {
  /** The kind of space the caller books (the connector's room, desk and equipment actions). */
  kind?: SpaceKind;
};

/** What a booking would be, checked against the space but not written: for dry runs and previews. */
export async function previewBooking(
  tx: Tx,
  tenantId: string,
  input: BookingInput,
  acting: Acting,
  options: CreateBookingOptions = {},
): Promise<{ space: Space; plan: BookingPlan; conflicts: BookingConflict[] }> {
  const booking = parsed(bookingInput, input);
  const space = await getSpace(tx, tenantId, booking.spaceId, false);
  if (options.kind && space.kind !== options.kind) {
    const message = `${space.name} is ${KIND_WORDS[space.kind]}, not ${KIND_WORDS[options.kind]}`;
    throw new AppError("BAD_REQUEST", `spaceId: ${message}`, { fields: { spaceId: [message] } });
  }
  if (!space.bookable)
    throw new AppError("BAD_REQUEST", `spaceId: ${space.name} cannot be booked`, {
      fields: { spaceId: [`${space.name} cannot be booked`] },
    });
  const plan = planBooking({
    start: booking.start,
    end: booking.end,
    timeZone: booking.timeZone ?? space.timeZone,
    rrule: booking.rrule,
    until: booking.until,
  });
  const conflicts = await findConflicts(tx, tenantId, space.id, plan.occurrences, acting, 5);
  return { space, plan, conflicts };
}

/**
 * Books a space. `acting.userId` is the booker (checked to be a member); with `acting.syscallId` a
 * retried call returns the booking its first attempt made. A slot already taken is a CONFLICT naming
 * the first clashing occurrence and its holder; bad input is a BAD_REQUEST; nothing is written then.
 */
export async function createBookingIn(
  tx: Tx,
  tenantId: string,
  input: BookingInput,
  acting: Acting,
  options: CreateBookingOptions = {},
): Promise<BookingView> {
  if (acting.syscallId !== null) {
    const [earlier] = await sqlOf(tx).query<{ id: string }>(
      `SELECT id::text FROM facilities.booking WHERE tenant_id = $1::uuid AND syscall_id = $2`,
      [tenantId, acting.syscallId],
    );
    if (earlier) return view(tx, tenantId, await loadBookingRow(tx, tenantId, earlier.id), acting);
  }
  const booking = parsed(bookingInput, input);
  if (acting.userId !== null) await requireMember(tx, tenantId, acting.userId, "bookedBy");
  const { space, plan, conflicts } = await previewBooking(tx, tenantId, booking, acting, options);
  // A clash already committed is reported before anything is written; one committed meanwhile is
  // caught by the exclusion constraint below.
  const [known] = conflicts;
  if (known) throw new AppError("CONFLICT", conflictMessage(space, known, plan.schedule.timeZone));
  const id = randomUUID();
  const first = plan.occurrences[0];
  if (!first) throw new AppError("BAD_REQUEST", "The booking has no occurrence");
  const sql = sqlOf(tx);
  await sql.query(
    `INSERT INTO facilities.booking (id, tenant_id, space_id, booked_by, title, private, starts_at, ends_at, local_start,
       time_zone, rrule, recurrence_until, series_id, syscall_id)
     VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, $6, $7::timestamptz, $8::timestamptz, $9::timestamp,
       $10, $11, $12::timestamptz, $13::uuid, $14)`,
    [
      id,
      tenantId,
      space.id,
      acting.userId,
      booking.title,
      booking.private,
      first.start.toISOString(),
      first.end.toISOString(),
      `${plan.schedule.start.date}T${plan.schedule.start.time}`,
      plan.schedule.timeZone,
      plan.rrule,
      plan.lastStart?.toISOString() ?? null,
      plan.rrule === null ? null : id,
      acting.syscallId,
    ],
  );
  try {
    await withSavepoint(tx, () =>
      sql.query(
        `INSERT INTO facilities.booking_occurrence (tenant_id, booking_id, space_id, local_start, starts_at, ends_at)
         SELECT $1::uuid, $2::uuid, $3::uuid, l, s, e
           FROM unnest($4::timestamp[], $5::timestamptz[], $6::timestamptz[]) AS o(l, s, e)`,
        [
          tenantId,
          id,
          space.id,
          plan.occurrences.map((o) => `${o.local.date}T${o.local.time}`),
          plan.occurrences.map((o) => o.start.toISOString()),
          plan.occurrences.map((o) => o.end.toISOString()),
        ],
      ),
    );
  } catch (error) {
    if (!hasSqlState(error, EXCLUSION_VIOLATION)) throw error;
    // The database refused an overlap, perhaps with a booking committed a moment ago by someone else:
    // the clash is visible now that the statement has waited for it, so it can be named.
    const [conflict] = await findConflicts(tx, tenantId, space.id, plan.occurrences, acting);
    throw new AppError(
      "CONFLICT",
      conflict
        ? conflictMessage(space, conflict, plan.schedule.timeZone)
        : `${space.name} is already booked at that time`,
      { cause: error },
    );
  }
  return view(tx, tenantId, await loadBookingRow(tx, tenantId, id), acting);
}

async function auditBooking(
  ctx: TenantContext,
  action: string,
  row: Pick<BookingRow, "id" | "title" | "space_name">,
  detail: Record<string, string | number>,
) {
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action,
    resource: { type: "booking", id: row.id, label: `${row.space_name}: ${row.title}` },
    outcome: "succeeded",
    detail,
  });
}

/** A member books a space for themselves. */
export async function createBooking(ctx: TenantContext, input: BookingInput): Promise<BookingView> {
  const booking = await createBookingIn(ctx.db, ctx.tenantId, input, actingOf(ctx));
  await auditBooking(
    ctx,
    "facilities.booking_created",
    { id: booking.id, title: booking.title ?? "", space_name: booking.spaceName },
    {
      spaceId: booking.spaceId,
      start: booking.start.toISOString(),
      occurrences: booking.occurrences.length,
      ...(booking.rrule ? { rrule: booking.rrule } : {}),
    },
  );
  return booking;
}

export const cancelInput = z.object({
  bookingId: z.uuid("Choose a booking"),
  /** Cancels only the occurrence that starts at this instant; without it, the whole booking. */
  occurrenceStart: z.iso.datetime({ offset: true, message: "Use an ISO 8601 date and time" }).nullish(),
});
export type CancelInput = z.input<typeof cancelInput>;

export type CancelResult = {
  bookingId: string;
  cancelled: "booking" | "occurrence";
  /** The occurrences freed by this call (none when they were already cancelled). */
  freed: { start: Date; end: Date }[];
  status: "confirmed" | "cancelled";
};

/**
 * Cancels a booking or one of its occurrences, which frees the slot at once (a cancelled occurrence
 * is outside the exclusion constraint). Cancelling what is already cancelled changes nothing and
 * says so by freeing nothing, so a retried cancel is harmless. People may cancel their own bookings;
 * admins anyone's. (The connector's caller was authorized by the kernel's policies.)
 */
export async function cancelBookingIn(
  tx: Tx,
  tenantId: string,
  input: CancelInput,
  acting: Acting,
): Promise<CancelResult> {
  const { bookingId, occurrenceStart } = parsed(cancelInput, input);
  const row = await loadBookingRow(tx, tenantId, bookingId);
  if (acting.role !== null && row.booked_by !== acting.userId && !isFacilitiesManager(acting.role))
    throw new AppError("FORBIDDEN", "Only the booker or an admin can cancel this booking");
  const sql = sqlOf(tx);
  // Lock the booking so a concurrent cancel of one occurrence and of the whole series serialize.
  await sql.query(
    `SELECT 1 FROM facilities.booking WHERE tenant_id = $1::uuid AND id = $2::uuid FOR UPDATE`,
    [tenantId, bookingId],
  );
  type Freed = { starts_at: string; ends_at: string };
  let freed: Freed[];
  if (occurrenceStart) {
    const [occurrence] = await sql.query<{ id: string; cancelled: boolean }>(
      `SELECT id::text, cancelled FROM facilities.booking_occurrence
        WHERE tenant_id = $1::uuid AND booking_id = $2::uuid AND starts_at = $3::timestamptz`,
      [tenantId, bookingId, occurrenceStart],
    );
    if (!occurrence)
      throw new AppError("BAD_REQUEST", "occurrenceStart: The booking has no occurrence starting then", {
        fields: { occurrenceStart: ["The booking has no occurrence starting then"] },
      });
    freed = await sql.query<Freed>(
      `UPDATE facilities.booking_occurrence SET cancelled = true
        WHERE tenant_id = $1::uuid AND id = $2::uuid AND NOT cancelled
        RETURNING ${iso("starts_at")} AS starts_at, ${iso("ends_at")} AS ends_at`,
      [tenantId, occurrence.id],
    );
    // A booking whose every occurrence is cancelled is cancelled.
    await sql.query(
      `UPDATE facilities.booking b SET status = 'cancelled', cancelled_at = now()
        WHERE b.tenant_id = $1::uuid AND b.id = $2::uuid AND b.status = 'confirmed'
          AND NOT EXISTS (SELECT 1 FROM facilities.booking_occurrence o
                           WHERE o.tenant_id = b.tenant_id AND o.booking_id = b.id AND NOT o.cancelled)`,
      [tenantId, bookingId],
    );
  } else {
    freed = await sql.query<Freed>(
      `UPDATE facilities.booking_occurrence SET cancelled = true
        WHERE tenant_id = $1::uuid AND booking_id = $2::uuid AND NOT cancelled
        RETURNING ${iso("starts_at")} AS starts_at, ${iso("ends_at")} AS ends_at`,
      [tenantId, bookingId],
    );
    await sql.query(
      `UPDATE facilities.booking SET status = 'cancelled', cancelled_at = now()
        WHERE tenant_id = $1::uuid AND id = $2::uuid AND status = 'confirmed'`,
      [tenantId, bookingId],
    );
  }
  if (freed.length > 0)
    await sql.query(
      `UPDATE facilities.booking SET sequence = sequence + 1, updated_at = now() WHERE tenant_id = $1::uuid AND id = $2::uuid`,
      [tenantId, bookingId],
    );
  const after = await loadBookingRow(tx, tenantId, bookingId);
  return {
    bookingId,
    cancelled: occurrenceStart ? "occurrence" : "booking",
    freed: freed
      .map((f) => ({ start: new Date(f.starts_at), end: new Date(f.ends_at) }))
      .sort((a, b) => a.start.getTime() - b.start.getTime()),
    status: after.status,
  };
}

/** What a cancel would free, checked but not written: for dry runs. */
export async function previewCancel(
  tx: Tx,
  tenantId: string,
  input: CancelInput,
): Promise<{ booking: StoredBooking; freed: { start: Date; end: Date }[] }> {
  const { bookingId, occurrenceStart } = parsed(cancelInput, input);
  const booking = await loadBookingRow(tx, tenantId, bookingId);
  const live = (await occurrencesOf(tx, tenantId, bookingId)).filter((o) => !o.cancelled);
  if (!occurrenceStart) return { booking, freed: live };
  const at = new Date(occurrenceStart).getTime();
  const all = await occurrencesOf(tx, tenantId, bookingId);
  if (!all.some((o) => o.start.getTime() === at))
    throw new AppError("BAD_REQUEST", "occurrenceStart: The booking has no occurrence starting then", {
      fields: { occurrenceStart: ["The booking has no occurrence starting then"] },
    });
  return { booking, freed: live.filter((o) => o.start.getTime() === at) };
}

export async function cancelBooking(ctx: TenantContext, input: CancelInput): Promise<CancelResult> {
  const result = await cancelBookingIn(ctx.db, ctx.tenantId, input, actingOf(ctx));
  if (result.freed.length > 0) {
    const row = await loadBookingRow(ctx.db, ctx.tenantId, result.bookingId);
    await auditBooking(
      ctx,
      result.cancelled === "booking" ? "facilities.booking_cancelled" : "facilities.occurrence_cancelled",
      row,
      {
        freed: result.freed.length,
        ...(result.cancelled === "occurrence" ? { start: result.freed[0]?.start.toISOString() ?? "" } : {}),
      },
    );
  }
  return result;
}

const MAX_RANGE_DAYS = 92;

const rangeInput = z
  .object({
    from: z.iso.datetime({ offset: true, message: "Use an ISO 8601 date and time" }),
    to: z.iso.datetime({ offset: true, message: "Use an ISO 8601 date and time" }),
  })
  .refine((r) => new Date(r.from) < new Date(r.to), {
    message: "The range must end after it starts",
    path: ["to"],
  })
  .refine((r) => new Date(r.to).getTime() - new Date(r.from).getTime() <= MAX_RANGE_DAYS * 86_400_000, {
    message: `Ask for at most ${MAX_RANGE_DAYS} days at once`,
    path: ["to"],
  });

export type BusySlot = {
  bookingId: string;
  start: Date;
  end: Date;
  holder: string;
  title: string | null;
};
export type Availability = {
  spaceId: string;
  from: Date;
  to: Date;
  busy: BusySlot[];
  /** The gaps between busy slots within the range. */
  free: { start: Date; end: Date }[];
};

type OccurrenceRow = {
  occurrence_id: string;
  booking_id: string;
  space_id: string;
  space_name: string;
  starts_at: string;
  ends_at: string;
  title: string;
  private: boolean;
  booked_by: string | null;
  holder: string | null;
  rrule: string | null;
  time_zone: string;
};

async function occurrencesInRange(
  tx: Tx,
  tenantId: string,
  filter: { spaceId: string | null; bookedBy: string | null },
  from: Date,
  to: Date,
): Promise<OccurrenceRow[]> {
  return sqlOf(tx).query<OccurrenceRow>(
    `SELECT o.id::text AS occurrence_id, o.booking_id::text, o.space_id::text, sp.name AS space_name,
            ${iso("o.starts_at")} AS starts_at, ${iso("o.ends_at")} AS ends_at,
            b.title, b.private, b.booked_by::text, u.name AS holder, b.rrule, b.time_zone
       FROM facilities.booking_occurrence o
       JOIN facilities.booking b ON b.tenant_id = o.tenant_id AND b.id = o.booking_id
       JOIN facilities.space sp ON sp.tenant_id = o.tenant_id AND sp.id = o.space_id
       LEFT JOIN "User" u ON u.id = b.booked_by
      WHERE o.tenant_id = $1::uuid AND NOT o.cancelled
        AND ($2::uuid IS NULL OR o.space_id = $2::uuid)
        AND ($3::uuid IS NULL OR b.booked_by = $3::uuid)
        AND o.during && tstzrange($4::timestamptz, $5::timestamptz, '[)')
      ORDER BY o.starts_at, sp.name`,
    [tenantId, filter.spaceId, filter.bookedBy, from.toISOString(), to.toISOString()],
  );
}

/** When a space is taken and free between `from` and `to` (at most 92 days). */
export async function spaceAvailability(
  ctx: TenantContext,
  input: { spaceId: string; from: string; to: string },
): Promise<Availability> {
  const space = await getSpace(ctx.db, ctx.tenantId, input.spaceId, false);
  const range = parsed(rangeInput, { from: input.from, to: input.to });
  const from = new Date(range.from);
  const to = new Date(range.to);
  const viewer = actingOf(ctx);
  const rows = await occurrencesInRange(
    ctx.db,
    ctx.tenantId,
    { spaceId: space.id, bookedBy: null },
    from,
    to,
  );
  const busy = rows.map((r) => ({
    bookingId: r.booking_id,
    start: new Date(r.starts_at),
    end: new Date(r.ends_at),
    holder: r.booked_by === null ? "an automated booking" : (r.holder ?? "a former member"),
    title: titleVisible(r, viewer) ? r.title : null,
  }));
  const free: { start: Date; end: Date }[] = [];
  let cursor = from;
  for (const slot of busy) {
    if (slot.start > cursor) free.push({ start: cursor, end: slot.start });
    if (slot.end > cursor) cursor = slot.end;
  }
  if (cursor < to) free.push({ start: cursor, end: to });
  return { spaceId: space.id, from, to, busy, free };
}

export type BookingListItem = {
  occurrenceId: string;
  bookingId: string;
  spaceId: string;
  spaceName: string;
  start: Date;
  end: Date;
  title: string | null;
  holder: string;
  bookedBy: string | null;
  recurring: boolean;
};

/** The live occurrences in a range (at most 92 days), of one space, or only the caller's own. */
export async function listBookings(
  ctx: TenantContext,
  input: { from: string; to: string; spaceId?: string; mine?: boolean },
): Promise<BookingListItem[]> {
  const range = parsed(rangeInput, { from: input.from, to: input.to });
  if (input.spaceId !== undefined) await getSpace(ctx.db, ctx.tenantId, input.spaceId, false);
  const viewer = actingOf(ctx);
  const rows = await occurrencesInRange(
    ctx.db,
    ctx.tenantId,
    { spaceId: input.spaceId ?? null, bookedBy: input.mine ? ctx.actor.userId : null },
    new Date(range.from),
    new Date(range.to),
  );
  return rows.map((r) => ({
    occurrenceId: r.occurrence_id,
    bookingId: r.booking_id,
    spaceId: r.space_id,
    spaceName: r.space_name,
    start: new Date(r.starts_at),
    end: new Date(r.ends_at),
    title: titleVisible(r, viewer) ? r.title : null,
    holder: r.booked_by === null ? "an automated booking" : (r.holder ?? "a former member"),
    bookedBy: r.booked_by,
    recurring: r.rrule !== null,
  }));
}

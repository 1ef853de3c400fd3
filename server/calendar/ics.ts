/**
 * An iCalendar (RFC 5545) writer for bookings: an .ics invite per booking (iTIP methods REQUEST and
 * CANCEL, RFC 5546) and a subscription feed per room.
 *
 * Times are written on the booking's wall clock with a TZID and a VTIMEZONE generated from the zone's
 * actual offset changes (from Intl), rather than in UTC: an RRULE is expanded in the DTSTART's zone
 * (RFC 5545 §3.3.10), so only a zoned DTSTART keeps a weekly 09:00 booking at 09:00 in the client after
 * the clocks change.
 */
import { AppError } from "@/server/errors";
import {
  expandBooking,
  formatRRule,
  formatUtcDateTime,
  MAX_COUNT,
  validateSchedule,
  type BookingSchedule,
} from "./recurrence";
import { offsetAt, offsetTransitions, parseWallClock, toInstant, toWallClock, type WallClock } from "./zoned";

export interface CalendarPerson {
  email: string;
  name?: string;
}

export interface CalendarAttendee extends CalendarPerson {
  /** RFC 5545 §3.2.3; a room or desk is a ROOM or RESOURCE. */
  cutype?: "INDIVIDUAL" | "GROUP" | "RESOURCE" | "ROOM";
  /** RFC 5545 §3.2.16 */
  role?: "CHAIR" | "REQ-PARTICIPANT" | "OPT-PARTICIPANT" | "NON-PARTICIPANT";
  /** RFC 5545 §3.2.12 */
  partstat?: "NEEDS-ACTION" | "ACCEPTED" | "DECLINED" | "TENTATIVE";
  rsvp?: boolean;
}

/** A booking as a calendar event. */
export interface CalendarBooking {
  /** Globally unique and stable across updates of the booking (RFC 5545 §3.8.4.7), e.g. `<id>@tenet`. */
  uid: string;
  schedule: BookingSchedule;
  summary: string;
  location?: string;
  description?: string;
  organizer?: CalendarPerson;
  attendees?: CalendarAttendee[];
  /** Incremented by the caller on every significant change, cancellation included (RFC 5545 §3.8.7.4). */
  sequence: number;
  status: "CONFIRMED" | "TENTATIVE" | "CANCELLED";
  /** When the booking last changed; the feed's DTSTAMP (RFC 5545 §3.8.7.2, without METHOD). */
  updatedAt: Date;
}

export type InviteMethod = "REQUEST" | "CANCEL";

export interface IcsOptions {
  prodId?: string;
}

export const DEFAULT_PRODID = "-//Tenet//Facilities//EN";

/**
 * How far past a booking's start its VTIMEZONE is written (open-ended or very long series). Beyond it a
 * client that ignores the (IANA) TZID and uses only the VTIMEZONE keeps the last offset; mainstream
 * clients map IANA TZIDs to their own rules, so this bounds the file's size at little cost.
 */
export const VTIMEZONE_MAX_YEARS = 5;

function badCalendar(field: string, message: string): AppError {
  return new AppError("BAD_REQUEST", `${field}: ${message}`, { fields: { [field]: [message] } });
}

const encoder = new TextEncoder();

/**
 * Folds a content line so that no line exceeds 75 octets of UTF-8, excluding the CRLF, continuing with
 * one space (RFC 5545 §3.1). Splits only between code points, never inside a multi-octet character.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = "";
  let currentBytes = 0;
  for (const char of line) {
    const bytes = encoder.encode(char).length;
    if (currentBytes + bytes > 75) {
      out.push(current);
      current = " ";
      currentBytes = 1;
    }
    current += char;
    currentBytes += bytes;
  }
  out.push(current);
  return out.join("\r\n");
}

/** Undoes folding (RFC 5545 §3.1): a CRLF followed by one space or tab is removed. */
export function unfoldLines(text: string): string[] {
  const unfolded = text.replace(/\r\n[ \t]/g, "");
  const lines = unfolded.split("\r\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** Removes control characters (U+0000–U+001F, U+007F) except those in `keep`. */
function dropControls(value: string, keep: string): string {
  let out = "";
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if ((code >= 0x20 && code !== 0x7f) || keep.includes(char)) out += char;
  }
  return out;
}

/**
 * TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon and comma are escaped, line breaks become
 * `\n`. Other control characters are not allowed in TEXT and are dropped.
 */
export function escapeText(value: string): string {
  return dropControls(value.replace(/\r\n?/g, "\n"), "\t\n")
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\n/g, "\\n");
}

/** The inverse of `escapeText`, for readers and tests. */
export function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === "n" || c === "N" ? "\n" : c));
}

/**
 * A parameter value (RFC 5545 §3.1 `param-value`): quoted when it contains `:`, `;` or `,`. A DQUOTE
 * cannot appear in one at all, and control characters are not allowed, so both are dropped.
 */
function paramValue(value: string): string {
  const clean = dropControls(value, "").replace(/"/g, "");
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
}

type Params = Record<string, string | undefined>;

function line(name: string, value: string, params: Params = {}): string {
  const paramText = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, v]) => `;${key}=${v}`)
    .join("");
  return foldLine(`${name}${paramText}:${value}`);
}

function mailto(email: string, field: string): string {
  // A conservative check: the address ends up in a URI value, where a CR, LF, space or quote would let
  // a booking's attendee list inject properties into the invite.
  if (!/^[^\s@"<>(),;:\\]+@[^\s@"<>(),;:\\]+\.[^\s@"<>(),;:\\]+$/.test(email)) {
    throw badCalendar(field, `"${email}" is not an email address`);
  }
  return `mailto:${email}`;
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, "0");

function localDateTime(wall: WallClock): string {
  const c = parseWallClock(wall);
  return `${pad(c.year, 4)}${pad(c.month)}${pad(c.day)}T${pad(c.hour)}${pad(c.minute)}${pad(c.second)}`;
}

/** A UTC offset as `+HHMM` (RFC 5545 §3.3.14). */
function utcOffset(minutes: number): string {
  return `${minutes < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(minutes) / 60))}${pad(Math.abs(minutes) % 60)}`;
}

/** Exact duration in minutes as `PT1H30M` (RFC 5545 §3.3.6). */
function duration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `PT${hours > 0 ? `${hours}H` : ""}${rest > 0 || hours === 0 ? `${rest}M` : ""}`;
}

/**
 * The instants a booking's VTIMEZONE must cover: its first start to its last end, but at most
 * `VTIMEZONE_MAX_YEARS` past the start, which also bounds the work for a rule that spans centuries.
 */
function coverage(schedule: BookingSchedule): { from: Date; to: Date } {
  const from = toInstant(schedule.start, schedule.timeZone);
  const rule = schedule.rule;
  const cap = from.getTime() + VTIMEZONE_MAX_YEARS * 366 * 86_400_000;
  let last = from.getTime();
  if (rule?.until) last = Math.min(rule.until.getTime(), cap);
  else if (rule?.count !== undefined) {
    const occurrences = expandBooking(
      { ...schedule, exdates: [] },
      { from, to: new Date(cap) },
      { maxOccurrences: MAX_COUNT },
    );
    last = occurrences.at(-1)?.start.getTime() ?? last;
  } else if (rule) last = cap;
  return { from, to: new Date(last + schedule.durationMinutes * 60_000) };
}

/**
 * A VTIMEZONE (RFC 5545 §3.6.5) listing the zone's observances from 1 January of `from`'s year to the
 * end of `to`'s year: the offset in force on that first day, then one STANDARD or DAYLIGHT component
 * per actual change. An observance that raises the offset above the lowest one in the range is written
 * as DAYLIGHT; the rest as STANDARD.
 */
export function vtimezone(zone: string, from: Date, to: Date): string[] {
  const rangeStart = new Date(Date.UTC(from.getUTCFullYear(), 0, 1));
  const rangeEnd = new Date(Date.UTC(to.getUTCFullYear() + 1, 0, 1));
  const initial = offsetAt(rangeStart, zone);
  const transitions = offsetTransitions(zone, rangeStart, rangeEnd);
  const lowest = Math.min(initial, ...transitions.map((t) => t.offsetTo));
  const observance = (onset: WallClock, offsetFrom: number, offsetTo: number) => {
    const kind = offsetTo > lowest ? "DAYLIGHT" : "STANDARD";
    return [
      `BEGIN:${kind}`,
      // DTSTART of an observance is the local time just before the change, in the old offset (§3.6.5).
      line("DTSTART", localDateTime(onset)),
      line("TZOFFSETFROM", utcOffset(offsetFrom)),
      line("TZOFFSETTO", utcOffset(offsetTo)),
      `END:${kind}`,
    ];
  };
  const utcWall = (epoch: number) => toWallClock(new Date(epoch), "UTC");
  return [
    "BEGIN:VTIMEZONE",
    line("TZID", zone),
    ...observance(utcWall(rangeStart.getTime() + initial * 60_000), initial, initial),
    ...transitions.flatMap((t) =>
      observance(utcWall(t.instant.getTime() + t.offsetFrom * 60_000), t.offsetFrom, t.offsetTo),
    ),
    "END:VTIMEZONE",
  ];
}

function vevent(booking: CalendarBooking, stamp: Date, status: CalendarBooking["status"]): string[] {
  const { schedule } = booking;
  validateSchedule(schedule);
  if (booking.uid.trim() === "" || /[\r\n]/.test(booking.uid))
    throw badCalendar("uid", "must be one non-empty line");
  if (!Number.isInteger(booking.sequence) || booking.sequence < 0) {
    throw badCalendar("sequence", "must be a whole number, at least 0");
  }
  const tz = { TZID: paramValue(schedule.timeZone) };
  const start = toInstant(schedule.start, schedule.timeZone);
  const end = new Date(start.getTime() + schedule.durationMinutes * 60_000);
  const endWall = toWallClock(end, schedule.timeZone);
  // A DTEND in the autumn overlap would be read as its first occurrence (§3.3.5) and end the booking an
  // hour early; an exact DURATION (§3.8.2.5) cannot be misread, so it is written instead in that case.
  const endLine =
    toInstant(endWall, schedule.timeZone).getTime() === end.getTime()
      ? line("DTEND", localDateTime(endWall), tz)
      : line("DURATION", duration(schedule.durationMinutes));
  const exdates = schedule.rule && schedule.exdates?.length ? schedule.exdates : [];
  return [
    "BEGIN:VEVENT",
    line("UID", escapeText(booking.uid)),
    line("DTSTAMP", formatUtcDateTime(stamp)),
    line("DTSTART", localDateTime(schedule.start), tz),
    endLine,
    ...(schedule.rule ? [line("RRULE", formatRRule(schedule.rule))] : []),
    ...(exdates.length > 0 ? [line("EXDATE", exdates.map(localDateTime).join(","), tz)] : []),
    line("SUMMARY", escapeText(booking.summary)),
    ...(booking.location ? [line("LOCATION", escapeText(booking.location))] : []),
    ...(booking.description ? [line("DESCRIPTION", escapeText(booking.description))] : []),
    ...(booking.organizer
      ? [
          line("ORGANIZER", mailto(booking.organizer.email, "organizer"), {
            CN: booking.organizer.name ? paramValue(booking.organizer.name) : undefined,
          }),
        ]
      : []),
    ...(booking.attendees ?? []).map((a) =>
      line("ATTENDEE", mailto(a.email, "attendees"), {
        CUTYPE: a.cutype,
        ROLE: a.role,
        PARTSTAT: a.partstat,
        RSVP: a.rsvp === undefined ? undefined : a.rsvp ? "TRUE" : "FALSE",
        CN: a.name ? paramValue(a.name) : undefined,
      }),
    ),
    line("SEQUENCE", String(booking.sequence)),
    line("STATUS", status),
    "END:VEVENT",
  ];
}

function calendar(head: string[], bookings: CalendarBooking[], events: string[]): string {
  const ranges = new Map<string, { from: Date; to: Date }>();
  for (const { schedule } of bookings) {
    const range = coverage(schedule);
    const known = ranges.get(schedule.timeZone);
    ranges.set(schedule.timeZone, {
      from: known && known.from < range.from ? known.from : range.from,
      to: known && known.to > range.to ? known.to : range.to,
    });
  }
  const timezones = [...ranges.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([zone, range]) => vtimezone(zone, range.from, range.to));
  return [...head, ...timezones, ...events, "END:VCALENDAR"].map((l) => `${l}\r\n`).join("");
}

/**
 * An .ics invite for one booking. REQUEST sends or updates it; CANCEL withdraws it (the event is
 * written with STATUS:CANCELLED). iTIP (RFC 5546 §3.2.2, §3.2.5) requires an ORGANIZER and at least one
 * ATTENDEE for both. DTSTAMP is when this invite is made (RFC 5545 §3.8.7.2, with METHOD).
 */
export function bookingInvite(
  booking: CalendarBooking,
  method: InviteMethod,
  options: IcsOptions & { now?: Date } = {},
): string {
  if (!booking.organizer) throw badCalendar("organizer", "an invite needs an organizer (RFC 5546 §3.2.2)");
  if (!booking.attendees?.length)
    throw badCalendar("attendees", "an invite needs at least one attendee (RFC 5546 §3.2.2)");
  const head = [
    "BEGIN:VCALENDAR",
    line("PRODID", options.prodId ?? DEFAULT_PRODID),
    "VERSION:2.0",
    "CALSCALE:GREGORIAN",
    `METHOD:${method}`,
  ];
  const status = method === "CANCEL" ? "CANCELLED" : booking.status;
  return calendar(head, [booking], vevent(booking, options.now ?? new Date(), status));
}

/**
 * A room's subscription feed: every booking given (the caller chooses which, e.g. those not ended),
 * each a VEVENT with its RRULE, so clients expand series themselves. A feed is not an iTIP message and
 * so has no METHOD; X-WR-CALNAME is the de facto way to name a subscribed calendar.
 */
export function roomFeed(
  room: { name: string },
  bookings: CalendarBooking[],
  options: IcsOptions = {},
): string {
  const head = [
    "BEGIN:VCALENDAR",
    line("PRODID", options.prodId ?? DEFAULT_PRODID),
    "VERSION:2.0",
    "CALSCALE:GREGORIAN",
    line("X-WR-CALNAME", escapeText(room.name)),
  ];
  return calendar(
    head,
    bookings,
    bookings.flatMap((b) => vevent(b, b.updatedAt, b.status)),
  );
}

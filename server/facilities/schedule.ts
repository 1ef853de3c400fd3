/**
 * A booking's times as people and agents give them, turned into the occurrences to store and lease.
 * Pure (no database), so the connector's manifest can compute the kernel's lease claims from the very
 * same plan the driver books.
 *
 * A series repeats on the wall clock of its time zone (server/calendar/recurrence.ts): a weekly 09:00
 * booking in Berlin is 08:00 UTC in winter and 07:00 UTC in summer, and stays 09:00 on the room's clock.
 */
import { AppError } from "@/server/errors";
import {
  expandBooking,
  formatRRule,
  parseRRule,
  type BookingSchedule,
  type Occurrence,
} from "@/server/calendar/recurrence";
import { assertTimeZone, toInstant, toWallClock, type WallClock } from "@/server/calendar/zoned";

/** The most occurrences one booking may have: a longer series is booked again later, not at once. */
export const MAX_OCCURRENCES = 200;
/** The longest single occurrence: a desk for a week, not a room for a month. */
export const MAX_DURATION_MINUTES = 7 * 24 * 60;
/** How far a series may run past its first occurrence. */
export const MAX_SERIES_DAYS = 3 * 366;

export type BookingTimes = {
  /** An instant with an offset (`2026-12-01T08:00:00Z`) or a wall-clock time in `timeZone` (`2026-12-01T09:00`). */
  start: string;
  end: string;
  /** IANA name; the series repeats on this zone's wall clock. */
  timeZone: string;
  /** RFC 5545 RRULE value, e.g. `FREQ=WEEKLY;BYDAY=TU`. */
  rrule?: string | null;
  /** The last day or instant a series may start (instead of UNTIL or COUNT in the rule). */
  until?: string | null;
};

export type BookingPlan = {
  schedule: BookingSchedule;
  occurrences: Occurrence[];
  /** The rule as stored and written to calendars (UNTIL filled in from `until`), or null. */
  rrule: string | null;
  /** The last occurrence's start, for a series. */
  lastStart: Date | null;
  durationMinutes: number;
};

const bad = (field: string, message: string) =>
  new AppError("BAD_REQUEST", `${field}: ${message}`, { fields: { [field]: [message] } });

const LOCAL = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** `value` as an instant and the wall clock it reads in `timeZone`. */
export function parseWhen(
  value: string,
  timeZone: string,
  field: string,
): { instant: Date; wall: WallClock } {
  const local = LOCAL.exec(value);
  if (local?.[1] !== undefined && local[2] !== undefined) {
    const wall = { date: local[1], time: local[2] };
    try {
      return { instant: toInstant(wall, timeZone), wall };
    } catch {
      throw bad(field, `"${value}" is not a date and time`);
    }
  }
  if (!WITH_OFFSET.test(value)) {
    throw bad(field, `"${value}" is not a date and time such as 2026-12-01T09:00 or 2026-12-01T08:00:00Z`);
  }
  const instant = new Date(value);
  if (!Number.isFinite(instant.getTime())) throw bad(field, `"${value}" is not a date and time`);
  return { instant, wall: toWallClock(instant, timeZone) };
}

/** The end of the series' range: an instant, or a local date meaning any start on that day. */
function parseUntil(value: string, timeZone: string): Date {
  if (DATE_ONLY.test(value)) {
    const { instant } = parseWhen(`${value}T23:59:59`, timeZone, "until");
    return instant;
  }
  return parseWhen(value, timeZone, "until").instant;
}

/**
 * Checks a booking's times and expands it into its occurrences, at most MAX_OCCURRENCES of them. Every
 * problem is a BAD_REQUEST naming the field; nothing about the booking is accepted in part.
 */
export function planBooking(times: BookingTimes): BookingPlan {
  assertTimeZone(times.timeZone);
  const start = parseWhen(times.start, times.timeZone, "start");
  const end = parseWhen(times.end, times.timeZone, "end");
  const ms = end.instant.getTime() - start.instant.getTime();
  if (ms <= 0) throw bad("end", "The booking must end after it starts");
  if (ms % 60_000 !== 0 || start.instant.getUTCSeconds() !== 0 || start.instant.getUTCMilliseconds() !== 0)
    throw bad("start", "Book whole minutes");
  const durationMinutes = ms / 60_000;
  if (durationMinutes > MAX_DURATION_MINUTES)
    throw bad("end", `A booking lasts at most ${MAX_DURATION_MINUTES / (24 * 60)} days`);
  // The series repeats the wall clock the person chose, seconds dropped (they were refused above).
  const wall = { date: start.wall.date, time: start.wall.time.slice(0, 5) };
  const schedule: BookingSchedule = { start: wall, durationMinutes, timeZone: times.timeZone };
  const horizon = {
    from: start.instant,
    to: new Date(start.instant.getTime() + MAX_SERIES_DAYS * 86_400_000),
  };
  if (!times.rrule) {
    if (times.until) throw bad("until", "Only a repeating booking has an end date; add a rule");
    return {
      schedule,
      occurrences: expandBooking(schedule, horizon),
      rrule: null,
      lastStart: null,
      durationMinutes,
    };
  }
  const rule = parseRRule(times.rrule);
  if (times.until) {
    if (rule.count !== undefined || rule.until !== undefined)
      throw bad("until", "The rule already says when it ends (COUNT or UNTIL); leave until empty");
    rule.until = parseUntil(times.until, times.timeZone);
    if (rule.until.getTime() < start.instant.getTime())
      throw bad("until", "The series must end after it starts");
  }
  if (rule.count === undefined && rule.until === undefined)
    throw bad("until", "A repeating booking needs an end: give until, or COUNT in the rule");
  if (rule.count !== undefined && rule.count > MAX_OCCURRENCES)
    throw bad("rrule", `A series has at most ${MAX_OCCURRENCES} occurrences; book the rest later`);
  if (rule.until !== undefined && rule.until.getTime() > horizon.to.getTime())
    throw bad("until", `A series may run at most ${MAX_SERIES_DAYS} days`);
  schedule.rule = rule;
  let occurrences: Occurrence[];
  try {
    occurrences = expandBooking(schedule, horizon, { maxOccurrences: MAX_OCCURRENCES });
  } catch (error) {
    if (error instanceof AppError && error.code === "BAD_REQUEST" && !error.fields)
      throw bad("until", `A series has at most ${MAX_OCCURRENCES} occurrences; choose an earlier end`);
    throw error;
  }
  if (rule.count !== undefined && occurrences.length < rule.count)
    throw bad("rrule", `A series may run at most ${MAX_SERIES_DAYS} days`);
  const last = occurrences.at(-1);
  return {
    schedule,
    occurrences,
    rrule: formatRRule(rule),
    lastStart: last ? last.start : null,
    durationMinutes,
  };
}

const DAY = new Map<string, Intl.DateTimeFormat>();

function dayFormat(timeZone: string, year: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${year}`;
  let format = DAY.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      weekday: "short",
      day: "numeric",
      month: "short",
      ...(year ? { year: "numeric" } : {}),
    });
    DAY.set(key, format);
  }
  return format;
}

/** "Tue 1 Dec" (with the year: "Tue 1 Dec 2026"), on `timeZone`'s calendar. */
function dayOf(instant: Date, timeZone: string, year: boolean): string {
  const parts = dayFormat(timeZone, year).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return [part("weekday"), part("day"), part("month"), ...(year ? [part("year")] : [])].join(" ");
}

/**
 * A slot as people read it: "Tue 1 Dec 09:00–10:00 (Europe/Berlin)", or across midnight
 * "Tue 1 Dec 22:00 – Wed 2 Dec 02:00 (Europe/Berlin)".
 */
export function formatSlot(
  slot: { start: Date; end: Date },
  timeZone: string,
  options: { year?: boolean } = {},
): string {
  const year = options.year ?? false;
  const startDay = dayOf(slot.start, timeZone, year);
  const endDay = dayOf(slot.end, timeZone, year);
  const startTime = toWallClock(slot.start, timeZone).time.slice(0, 5);
  const endTime = toWallClock(slot.end, timeZone).time.slice(0, 5);
  return startDay === endDay
    ? `${startDay} ${startTime}–${endTime} (${timeZone})`
    : `${startDay} ${startTime} – ${endDay} ${endTime} (${timeZone})`;
}

/**
 * Wall-clock time in an IANA time zone, converted to and from instants with nothing but Intl (Node is
 * built with full ICU, so every IANA zone is known). Bookings are stored and repeated in their room's
 * wall clock; instants are only derived, which is what keeps a weekly 09:00 meeting at 09:00 across DST.
 *
 * Calendar arithmetic on local dates (`addDays`, `weekdayOf`, ...) is pure proleptic-Gregorian
 * arithmetic done in UTC, where no day is ever 23 or 25 hours long.
 */
import { AppError } from "@/server/errors";

/** A local calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;
/** A local time of day, `HH:MM` or `HH:MM:SS` (24-hour). */
export type LocalTime = string;

/** A time on a wall clock, without a zone: what a person in the room reads on the clock. */
export interface WallClock {
  date: LocalDate;
  time: LocalTime;
}

export interface CivilDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      });
    } catch (cause) {
      throw new AppError(
        "BAD_REQUEST",
        `Unknown time zone "${zone}"; use an IANA name such as "Europe/Paris"`,
        {
          cause,
          fields: { timeZone: [`Unknown time zone "${zone}"`] },
        },
      );
    }
    formatters.set(zone, formatter);
  }
  return formatter;
}

/**
 * Checks that `zone` is an IANA time zone name this runtime knows and returns it unchanged. Offsets
 * ("+02:00") and abbreviations ("CET") are refused: a TZID in iCalendar must name a VTIMEZONE whose rules
 * we can generate, and an abbreviation or a fixed offset has no DST rules (RFC 5545 §3.2.19).
 */
export function assertTimeZone(zone: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone) || /^[+-]/.test(zone)) {
    throw new AppError(
      "BAD_REQUEST",
      `Unknown time zone "${zone}"; use an IANA name such as "Europe/Paris"`,
      {
        fields: { timeZone: [`Unknown time zone "${zone}"`] },
      },
    );
  }
  formatterFor(zone);
  return zone;
}

export function isTimeZone(zone: string): boolean {
  try {
    assertTimeZone(zone);
    return true;
  } catch {
    return false;
  }
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

function badInput(field: string, message: string): AppError {
  return new AppError("BAD_REQUEST", `${field}: ${message}`, { fields: { [field]: [message] } });
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses `YYYY-MM-DD`, refusing impossible dates such as 2026-02-30. */
export function parseLocalDate(date: LocalDate): { year: number; month: number; day: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  if (!match || year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw badInput("date", `"${date}" is not a date of the form YYYY-MM-DD`);
  }
  return { year, month, day };
}

/** Parses `HH:MM` or `HH:MM:SS` (24-hour; no leap second). */
export function parseLocalTime(time: LocalTime): { hour: number; minute: number; second: number } {
  const match = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  const [hour, minute, second] = match
    ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)]
    : [0, 0, 0];
  if (!match || hour > 23 || minute > 59 || second > 59) {
    throw badInput("time", `"${time}" is not a time of the form HH:MM or HH:MM:SS`);
  }
  return { hour, minute, second };
}

export function parseWallClock(wall: WallClock): CivilDateTime {
  return { ...parseLocalDate(wall.date), ...parseLocalTime(wall.time) };
}

export function formatLocalDate(year: number, month: number, day: number): LocalDate {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** Formats a time as `HH:MM`, or `HH:MM:SS` when the seconds are not zero. */
export function formatLocalTime(hour: number, minute: number, second = 0): LocalTime {
  return second === 0 ? `${pad(hour)}:${pad(minute)}` : `${pad(hour)}:${pad(minute)}:${pad(second)}`;
}

/** The civil fields as if they were UTC, in milliseconds; the basis of all local arithmetic here. */
function civilToEpoch(civil: CivilDateTime): number {
  return Date.UTC(civil.year, civil.month - 1, civil.day, civil.hour, civil.minute, civil.second);
}

function epochToCivil(epoch: number): CivilDateTime {
  const d = new Date(epoch);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const c = epochToCivil(
    civilToEpoch({ ...parseLocalDate(date), hour: 0, minute: 0, second: 0 }) + days * DAY_MS,
  );
  return formatLocalDate(c.year, c.month, c.day);
}

/** Whole days from `a` to `b` (negative when `b` is earlier). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  const at = (date: LocalDate) => civilToEpoch({ ...parseLocalDate(date), hour: 0, minute: 0, second: 0 });
  return Math.round((at(b) - at(a)) / DAY_MS);
}

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export function weekdayOf(date: LocalDate): number {
  const { year, month, day } = parseLocalDate(date);
  const sundayZero = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return sundayZero === 0 ? 7 : sundayZero;
}

/** The wall-clock fields of `instant` in `zone`, seconds truncated below. */
function civilAt(epoch: number, zone: string): CivilDateTime {
  const parts = formatterFor(zone).formatToParts(new Date(epoch));
  const field = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return {
    year: field("year"),
    month: field("month"),
    day: field("day"),
    hour: field("hour"),
    minute: field("minute"),
    second: field("second"),
  };
}

/** The zone's UTC offset at `instant`, in minutes east of UTC (Paris in summer: +120). */
export function offsetAt(instant: Date, zone: string): number {
  assertTimeZone(zone);
  const epoch = instant.getTime();
  const wholeSecond = Math.floor(epoch / 1000) * 1000;
  return Math.round((civilToEpoch(civilAt(wholeSecond, zone)) - wholeSecond) / MINUTE_MS);
}

/** The wall clock in `zone` at `instant` (seconds shown only when not zero). */
export function toWallClock(instant: Date, zone: string): WallClock {
  assertTimeZone(zone);
  const c = civilAt(instant.getTime(), zone);
  return { date: formatLocalDate(c.year, c.month, c.day), time: formatLocalTime(c.hour, c.minute, c.second) };
}

/**
 * The instant at which the wall clock in `zone` reads `wall`.
 *
 * A wall time does not always name exactly one instant, and RFC 5545 §3.3.5 (FORM #3, "date with local
 * time and time zone reference") fixes both cases, so Tenet, the .ics files it writes and the calendar
 * clients that read them agree:
 * - In a DST gap (the clock jumps from 02:00 to 03:00 in Paris on the last Sunday of March) the time does
 *   not exist; it "is interpreted using the UTC offset before the gap", which moves it forward by the
 *   length of the gap: 02:30 becomes 03:30 CEST.
 * - In an overlap (03:00 back to 02:00 in October) the time occurs twice; it "refers to the first
 *   occurrence", the earlier instant: 02:30 is 02:30 CEST, not CET.
 */
export function toInstant(wall: WallClock, zone: string): Date {
  assertTimeZone(zone);
  const civil = parseWallClock(wall);
  const local = civilToEpoch(civil);
  // Zone offsets change at most once in any ~2 days, so the offsets a day either side are the only
  // candidates (the same trick as Temporal's GetPossibleEpochNanoseconds).
  const before = offsetAt(new Date(local - DAY_MS), zone);
  const after = offsetAt(new Date(local + DAY_MS), zone);
  const matches = [...new Set([before, after])]
    .map((offset) => local - offset * MINUTE_MS)
    .filter((epoch) => civilToEpoch(civilAt(epoch, zone)) === local)
    .sort((a, b) => a - b);
  const earliest = matches[0];
  if (earliest !== undefined) return new Date(earliest);
  return new Date(local - before * MINUTE_MS);
}

/** A change of a zone's UTC offset: from `instant` on, the offset is `offsetTo` instead of `offsetFrom`. */
export interface OffsetTransition {
  instant: Date;
  offsetFrom: number;
  offsetTo: number;
}

/**
 * The offset changes of `zone` in [from, to), found by sampling each 12 hours and bisecting to the
 * second; used to write VTIMEZONE observances (RFC 5545 §3.6.5) for the range a calendar covers.
 */
export function offsetTransitions(zone: string, from: Date, to: Date): OffsetTransition[] {
  assertTimeZone(zone);
  const step = DAY_MS / 2;
  const transitions: OffsetTransition[] = [];
  let t = from.getTime();
  let offset = offsetAt(new Date(t), zone);
  while (t < to.getTime()) {
    const next = Math.min(t + step, to.getTime());
    const nextOffset = offsetAt(new Date(next), zone);
    if (nextOffset !== offset) {
      let lo = t;
      let hi = next;
      while (hi - lo > 1000) {
        const mid = Math.floor((lo + hi) / 2000) * 1000;
        if (mid <= lo) break;
        if (offsetAt(new Date(mid), zone) === offset) lo = mid;
        else hi = mid;
      }
      if (hi < to.getTime())
        transitions.push({ instant: new Date(hi), offsetFrom: offset, offsetTo: nextOffset });
      offset = nextOffset;
    }
    t = next;
  }
  return transitions;
}

/** Orders two wall clocks (negative when `a` is earlier), ignoring any zone. */
export function compareWallClock(a: WallClock, b: WallClock): number {
  return civilToEpoch(parseWallClock(a)) - civilToEpoch(parseWallClock(b));
}

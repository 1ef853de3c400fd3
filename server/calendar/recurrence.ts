/**
 * The subset of iCalendar recurrence rules (RRULE, RFC 5545 §3.3.10) that booking UIs offer: daily,
 * weekly and monthly repeats with INTERVAL, COUNT or UNTIL, BYDAY, BYMONTHDAY and WKST, plus EXDATE
 * (§3.8.5.1). Occurrences are generated on the zone's wall clock (§3.3.10: "the recurrence is computed in
 * local time"), so a weekly 09:00 booking stays at 09:00 when the clocks change.
 *
 * Anything outside the subset (BYSETPOS, BYHOUR, YEARLY, ...) is refused with an error rather than
 * silently ignored, because ignoring a part would book different times than the client shows.
 */
import { AppError } from "@/server/errors";
import {
  addDays,
  daysBetween,
  assertTimeZone,
  daysInMonth,
  formatLocalDate,
  parseLocalDate,
  parseLocalTime,
  toInstant,
  toWallClock,
  weekdayOf,
  type LocalDate,
  type WallClock,
} from "./zoned";

export const weekdays = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export type Weekday = (typeof weekdays)[number];

/** A BYDAY entry: `MO`, or with an ordinal in a monthly rule, `1MO` (first Monday) or `-1FR` (last Friday). */
export interface WeekdayNum {
  weekday: Weekday;
  ordinal?: number;
}

export interface RecurrenceRule {
  freq: "DAILY" | "WEEKLY" | "MONTHLY";
  interval: number;
  /** Total occurrences, DTSTART included (§3.3.10). At most `MAX_COUNT`. */
  count?: number;
  /** Last possible start, inclusive; a UTC instant because DTSTART carries a TZID (§3.3.10). */
  until?: Date;
  byDay?: WeekdayNum[];
  byMonthDay?: number[];
  /** First day of the week; only changes anything for WEEKLY rules with INTERVAL > 1. */
  wkst: Weekday;
}

/** The largest COUNT accepted: a booking that repeats more often than this is not a booking. */
export const MAX_COUNT = 1000;
/** The largest INTERVAL accepted. */
export const MAX_INTERVAL = 1000;
/** The default cap on occurrences expanded in one window. */
export const DEFAULT_MAX_OCCURRENCES = 1000;

function badRule(message: string): AppError {
  return new AppError("BAD_REQUEST", `Recurrence rule: ${message}`, { fields: { rrule: [message] } });
}

const isWeekday = (value: string): value is Weekday => (weekdays as readonly string[]).includes(value);

function parseInteger(name: string, value: string, min: number, max: number): number {
  if (!/^[+-]?\d{1,6}$/.test(value)) throw badRule(`${name}=${value} is not an integer`);
  const n = Number(value);
  if (n < min || n > max) throw badRule(`${name} must be between ${min} and ${max}, not ${value}`);
  return n;
}

/** `20261231T235959Z` → the instant. */
function parseUtcDateTime(value: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) {
    // §3.3.10: with a DTSTART in a zone (TZID), UNTIL "MUST be specified as a date with UTC time".
    throw badRule(`UNTIL=${value} must be a UTC date-time such as 20261231T235959Z`);
  }
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const date = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0));
  if (
    date.getUTCDate() !== d ||
    date.getUTCMonth() + 1 !== mo ||
    (h ?? 0) > 23 ||
    (mi ?? 0) > 59 ||
    (s ?? 0) > 59
  ) {
    throw badRule(`UNTIL=${value} is not a valid date-time`);
  }
  return date;
}

export function formatUtcDateTime(instant: Date): string {
  return instant
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}

/**
 * Parses RRULE text (`FREQ=WEEKLY;BYDAY=MO,WE`, with or without the `RRULE:` prefix) and checks the
 * constraints §3.3.10 puts on combinations.
 */
export function parseRRule(text: string): RecurrenceRule {
  const body = text.trim().replace(/^RRULE:/i, "");
  if (body === "") throw badRule("it is empty");
  const parts = new Map<string, string>();
  for (const part of body.split(";")) {
    const eq = part.indexOf("=");
    const name = (eq < 0 ? part : part.slice(0, eq)).toUpperCase();
    const value = eq < 0 ? "" : part.slice(eq + 1).toUpperCase();
    if (eq < 0 || value === "") throw badRule(`"${part}" is not NAME=VALUE`);
    if (parts.has(name)) throw badRule(`${name} appears twice`);
    parts.set(name, value);
  }
  const supported = ["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "WKST"];
  for (const name of parts.keys()) {
    if (!supported.includes(name))
      throw badRule(`${name} is not supported (supported: ${supported.join(", ")})`);
  }
  const freq = parts.get("FREQ");
  if (freq !== "DAILY" && freq !== "WEEKLY" && freq !== "MONTHLY") {
    throw badRule(
      freq === undefined ? "FREQ is required" : `FREQ=${freq} is not supported (DAILY, WEEKLY, MONTHLY)`,
    );
  }
  const rule: RecurrenceRule = { freq, interval: 1, wkst: "MO" };
  const interval = parts.get("INTERVAL");
  if (interval !== undefined) rule.interval = parseInteger("INTERVAL", interval, 1, MAX_INTERVAL);
  const count = parts.get("COUNT");
  if (count !== undefined) rule.count = parseInteger("COUNT", count, 1, MAX_COUNT);
  const until = parts.get("UNTIL");
  if (until !== undefined) rule.until = parseUtcDateTime(until);
  const byDay = parts.get("BYDAY");
  if (byDay !== undefined) {
    rule.byDay = byDay.split(",").map((entry) => {
      const match = /^([+-]?\d{1,2})?([A-Z]{2})$/.exec(entry);
      const weekday = match?.[2];
      if (!match || weekday === undefined || !isWeekday(weekday))
        throw badRule(`BYDAY=${entry} is not a weekday`);
      if (match[1] === undefined) return { weekday };
      return { weekday, ordinal: parseInteger("BYDAY ordinal", match[1], -5, 5) };
    });
  }
  const byMonthDay = parts.get("BYMONTHDAY");
  if (byMonthDay !== undefined) {
    rule.byMonthDay = byMonthDay.split(",").map((entry) => parseInteger("BYMONTHDAY", entry, -31, 31));
  }
  const wkst = parts.get("WKST");
  if (wkst !== undefined) {
    if (!isWeekday(wkst)) throw badRule(`WKST=${wkst} is not a weekday`);
    rule.wkst = wkst;
  }
  return validateRule(rule);
}

/** Checks a rule built in code the same way `parseRRule` checks text. */
export function validateRule(rule: RecurrenceRule): RecurrenceRule {
  if (!Number.isInteger(rule.interval) || rule.interval < 1 || rule.interval > MAX_INTERVAL) {
    throw badRule(`INTERVAL must be between 1 and ${MAX_INTERVAL}`);
  }
  if (
    rule.count !== undefined &&
    (!Number.isInteger(rule.count) || rule.count < 1 || rule.count > MAX_COUNT)
  ) {
    throw badRule(`COUNT must be between 1 and ${MAX_COUNT}`);
  }
  // §3.3.10: "The UNTIL or COUNT rule parts are OPTIONAL, but they MUST NOT occur in the same 'recur'."
  if (rule.count !== undefined && rule.until !== undefined)
    throw badRule("COUNT and UNTIL cannot both be given");
  if (rule.until !== undefined && Number.isNaN(rule.until.getTime()))
    throw badRule("UNTIL is not a valid instant");
  if (rule.byDay !== undefined && rule.byDay.length === 0) throw badRule("BYDAY is empty");
  if (rule.byMonthDay !== undefined && rule.byMonthDay.length === 0) throw badRule("BYMONTHDAY is empty");
  for (const day of rule.byMonthDay ?? []) {
    if (!Number.isInteger(day) || day === 0 || day < -31 || day > 31)
      throw badRule(`BYMONTHDAY=${day} is not a day`);
  }
  for (const { weekday, ordinal } of rule.byDay ?? []) {
    if (!isWeekday(weekday)) throw badRule(`BYDAY=${String(weekday)} is not a weekday`);
    if (ordinal === undefined) continue;
    // §3.3.10: a numeric BYDAY value "MUST NOT be specified" unless FREQ is MONTHLY or YEARLY.
    if (rule.freq !== "MONTHLY") throw badRule(`BYDAY=${ordinal}${weekday} needs FREQ=MONTHLY`);
    if (!Number.isInteger(ordinal) || ordinal === 0 || ordinal < -5 || ordinal > 5) {
      throw badRule(`BYDAY ordinal ${ordinal} must be 1..5 or -5..-1`);
    }
  }
  // §3.3.10: "The BYMONTHDAY rule part MUST NOT be specified when the FREQ rule part is set to WEEKLY."
  if (rule.freq === "WEEKLY" && rule.byMonthDay !== undefined)
    throw badRule("BYMONTHDAY cannot be used with WEEKLY");
  return rule;
}

const formatByDay = ({ weekday, ordinal }: WeekdayNum) => `${ordinal ?? ""}${weekday}`;

/** Writes a rule as RRULE value text (without the `RRULE:` name), in one canonical part order. */
export function formatRRule(rule: RecurrenceRule): string {
  validateRule(rule);
  const parts = [`FREQ=${rule.freq}`];
  if (rule.until !== undefined) parts.push(`UNTIL=${formatUtcDateTime(rule.until)}`);
  if (rule.count !== undefined) parts.push(`COUNT=${rule.count}`);
  if (rule.interval !== 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.byDay) parts.push(`BYDAY=${rule.byDay.map(formatByDay).join(",")}`);
  if (rule.byMonthDay) parts.push(`BYMONTHDAY=${rule.byMonthDay.join(",")}`);
  if (rule.wkst !== "MO") parts.push(`WKST=${rule.wkst}`);
  return parts.join(";");
}

/**
 * A booking and how it repeats: it starts at `start` on the wall clock of `timeZone` and lasts
 * `durationMinutes` of elapsed time (an exact duration, §3.3.6), so a one-hour booking on the night the
 * clocks change still lasts one hour.
 */
export interface BookingSchedule {
  start: WallClock;
  durationMinutes: number;
  timeZone: string;
  /** No rule: a single booking. */
  rule?: RecurrenceRule;
  /** Wall-clock starts of occurrences that were cancelled (EXDATE;TZID=..., §3.8.5.1). */
  exdates?: WallClock[];
}

export interface Occurrence {
  /** The occurrence's wall-clock start (its RECURRENCE-ID), before any DST gap adjustment. */
  local: WallClock;
  start: Date;
  end: Date;
}

/** A half-open interval of instants, [from, to). */
export interface TimeWindow {
  from: Date;
  to: Date;
}

export interface ExpandOptions {
  /** Refuse (do not truncate) when more than this many occurrences fall in the window. */
  maxOccurrences?: number;
}

/** Two half-open intervals [start, end) overlap when each starts before the other ends. */
export function overlaps(a: { start: Date; end: Date }, b: { start: Date; end: Date }): boolean {
  return a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();
}

const weekdayIndex = (weekday: Weekday) => weekdays.indexOf(weekday) + 1;

function monthDayMatches(date: LocalDate, byMonthDay: number[]): boolean {
  const { year, month, day } = parseLocalDate(date);
  const last = daysInMonth(year, month);
  return byMonthDay.some((d) => (d > 0 ? d === day : last + d + 1 === day));
}

/** The candidate dates of one period (one day, week or month), in date order. */
function periodDates(rule: RecurrenceRule, first: LocalDate, period: number): LocalDate[] {
  const startWeekday = weekdayOf(first);
  if (rule.freq === "DAILY") {
    const date = addDays(first, period * rule.interval);
    const dayOk = !rule.byDay || rule.byDay.some((d) => weekdayIndex(d.weekday) === weekdayOf(date));
    const monthDayOk = !rule.byMonthDay || monthDayMatches(date, rule.byMonthDay);
    return dayOk && monthDayOk ? [date] : [];
  }
  if (rule.freq === "WEEKLY") {
    const weekStart = addDays(first, -((startWeekday - weekdayIndex(rule.wkst) + 7) % 7));
    const periodStart = addDays(weekStart, period * 7 * rule.interval);
    const wanted = rule.byDay ? rule.byDay.map((d) => weekdayIndex(d.weekday)) : [startWeekday];
    return [0, 1, 2, 3, 4, 5, 6]
      .map((i) => addDays(periodStart, i))
      .filter((date) => wanted.includes(weekdayOf(date)));
  }
  const { year: firstYear, month: firstMonth, day: firstDay } = parseLocalDate(first);
  const monthIndex = firstYear * 12 + (firstMonth - 1) + period * rule.interval;
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  const last = daysInMonth(year, month);
  const all = Array.from({ length: last }, (_, i) => formatLocalDate(year, month, i + 1));
  if (!rule.byDay && !rule.byMonthDay) {
    // §3.3.10: a day that does not exist in a month (the 31st in April) is skipped, not moved.
    return firstDay <= last ? [formatLocalDate(year, month, firstDay)] : [];
  }
  return all.filter((date) => {
    if (rule.byMonthDay && !monthDayMatches(date, rule.byMonthDay)) return false;
    if (!rule.byDay) return true;
    const { day } = parseLocalDate(date);
    const weekday = weekdayOf(date);
    return rule.byDay.some((d) => {
      if (weekdayIndex(d.weekday) !== weekday) return false;
      if (d.ordinal === undefined) return true;
      const nth = d.ordinal > 0 ? Math.ceil(day / 7) : -Math.ceil((last - day + 1) / 7);
      return nth === d.ordinal;
    });
  });
}

function periodFirstDate(rule: RecurrenceRule, first: LocalDate, period: number): LocalDate {
  if (rule.freq === "DAILY") return addDays(first, period * rule.interval);
  if (rule.freq === "WEEKLY") return addDays(first, period * 7 * rule.interval - 6);
  const { year, month } = parseLocalDate(first);
  const monthIndex = year * 12 + (month - 1) + period * rule.interval;
  return formatLocalDate(Math.floor(monthIndex / 12), (monthIndex % 12) + 1, 1);
}

/**
 * Without COUNT, periods that end before the window cannot contribute, so expansion may start at the
 * window instead of at DTSTART (keeps a far-future window cheap). With COUNT every earlier occurrence
 * must be counted, which `MAX_COUNT` bounds.
 */
function firstUsefulPeriod(
  rule: RecurrenceRule,
  first: LocalDate,
  from: Date,
  durationMinutes: number,
): number {
  if (rule.count !== undefined) return 0;
  // An occurrence that starts up to its duration before the window still overlaps it; two more days
  // cover any zone offset between the wall clock and UTC.
  const earliest = from.getTime() - durationMinutes * 60_000 - 2 * 86_400_000;
  const fromDate = toWallClock(new Date(earliest), "UTC").date;
  const days = daysBetween(first, fromDate);
  if (days <= 0) return 0;
  const periods =
    rule.freq === "DAILY"
      ? days / rule.interval
      : rule.freq === "WEEKLY"
        ? days / (7 * rule.interval)
        : monthsBetween(first, fromDate) / rule.interval;
  return Math.max(0, Math.floor(periods) - 1);
}

function monthsBetween(a: LocalDate, b: LocalDate): number {
  const x = parseLocalDate(a);
  const y = parseLocalDate(b);
  return (y.year - x.year) * 12 + (y.month - x.month);
}

/** Checks a booking's zone, start, duration and rule, and that the rule produces the start itself. */
export function validateSchedule(schedule: BookingSchedule): void {
  assertTimeZone(schedule.timeZone);
  parseLocalDate(schedule.start.date);
  parseLocalTime(schedule.start.time);
  const minutes = schedule.durationMinutes;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 366 * 24 * 60) {
    throw new AppError("BAD_REQUEST", "durationMinutes must be a whole number of minutes, at least 1", {
      fields: { durationMinutes: ["Must be a whole number of minutes, at least 1"] },
    });
  }
  if (schedule.rule) {
    validateRule(schedule.rule);
    // §3.3.10 leaves a DTSTART that the rule would not generate undefined; refuse it instead.
    if (!periodDates(schedule.rule, schedule.start.date, 0).includes(schedule.start.date)) {
      throw badRule(`the first booking on ${schedule.start.date} is not a day the rule repeats on`);
    }
  }
}

/**
 * The occurrences of a booking that overlap `window`, in start order, with EXDATEs removed. COUNT counts
 * occurrences before EXDATEs are removed (§3.8.5.1: EXDATE is applied to the set the RRULE generated).
 * More than `maxOccurrences` in the window is refused with an error, never silently truncated.
 */
export function expandBooking(
  schedule: BookingSchedule,
  window: TimeWindow,
  options: ExpandOptions = {},
): Occurrence[] {
  validateSchedule(schedule);
  if (!(window.from.getTime() < window.to.getTime())) {
    throw new AppError("BAD_REQUEST", "The time window must end after it starts");
  }
  const max = options.maxOccurrences ?? DEFAULT_MAX_OCCURRENCES;
  const { timeZone, durationMinutes } = schedule;
  const excluded = new Set((schedule.exdates ?? []).map((wall) => toInstant(wall, timeZone).getTime()));
  const occurrence = (date: LocalDate): Occurrence => {
    const local = { date, time: schedule.start.time };
    const start = toInstant(local, timeZone);
    return { local, start, end: new Date(start.getTime() + durationMinutes * 60_000) };
  };
  const result: Occurrence[] = [];
  const take = (candidate: Occurrence) => {
    if (
      excluded.has(candidate.start.getTime()) ||
      !overlaps(candidate, { start: window.from, end: window.to })
    )
      return;
    if (result.length >= max) {
      throw new AppError(
        "BAD_REQUEST",
        `The booking repeats more than ${max} times between ${window.from.toISOString()} and ${window.to.toISOString()}; choose a shorter range`,
      );
    }
    result.push(candidate);
  };
  const rule = schedule.rule;
  if (!rule) {
    take(occurrence(schedule.start.date));
    return result;
  }
  // A period whose first day starts after the window (and after the longest booking could reach back
  // into it) cannot contribute; two days of slack cover any zone offset.
  const lastUsefulDate = toWallClock(new Date(window.to.getTime() + 2 * 86_400_000), "UTC").date;
  let generated = 0;
  for (let period = firstUsefulPeriod(rule, schedule.start.date, window.from, durationMinutes); ; period++) {
    if (periodFirstDate(rule, schedule.start.date, period) > lastUsefulDate) return result;
    for (const date of periodDates(rule, schedule.start.date, period)) {
      if (date < schedule.start.date) continue;
      const candidate = occurrence(date);
      if (rule.until && candidate.start.getTime() > rule.until.getTime()) return result;
      if (rule.count !== undefined && generated >= rule.count) return result;
      generated++;
      if (candidate.start.getTime() >= window.to.getTime()) return result;
      take(candidate);
    }
  }
}

export interface Conflict {
  a: Occurrence;
  b: Occurrence;
}

/**
 * The first pair of occurrences of `a` and `b` that overlap within `horizon` (ordered by when the
 * overlap begins), or null. Checking a new booking against the room's existing ones this way tells the
 * user which date clashes; the kernel lease on the room slot is what makes the final booking safe.
 */
export function firstConflict(
  a: BookingSchedule,
  b: BookingSchedule,
  horizon: TimeWindow,
  options: ExpandOptions = {},
): Conflict | null {
  const left = expandBooking(a, horizon, options);
  const right = expandBooking(b, horizon, options);
  let best: Conflict | null = null;
  let bestAt = Infinity;
  for (const x of left) {
    if (x.start.getTime() >= bestAt) break;
    for (const y of right) {
      if (y.start.getTime() >= x.end.getTime()) break;
      if (!overlaps(x, y)) continue;
      const at = Math.max(x.start.getTime(), y.start.getTime());
      if (at < bestAt) {
        best = { a: x, b: y };
        bestAt = at;
      }
    }
  }
  return best;
}

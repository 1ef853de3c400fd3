import { describe, expect, it } from "vitest";
import {
  expandBooking,
  firstConflict,
  formatRRule,
  MAX_COUNT,
  overlaps,
  parseRRule,
  type BookingSchedule,
} from "./recurrence";
import { toWallClock } from "./zoned";

const window = (from: string, to: string) => ({ from: new Date(from), to: new Date(to) });
const localStarts = (schedule: BookingSchedule, from: string, to: string) =>
  expandBooking(schedule, window(from, to)).map((o) => toWallClock(o.start, schedule.timeZone));

describe("parseRRule / formatRRule", () => {
  it("parses the supported parts and writes them back canonically", () => {
    const rule = parseRRule("RRULE:freq=monthly;byday=-1FR;interval=2;count=6;wkst=SU");
    expect(rule).toEqual({
      freq: "MONTHLY",
      interval: 2,
      count: 6,
      byDay: [{ weekday: "FR", ordinal: -1 }],
      wkst: "SU",
    });
    expect(formatRRule(rule)).toBe("FREQ=MONTHLY;COUNT=6;INTERVAL=2;BYDAY=-1FR;WKST=SU");
    for (const text of [
      "FREQ=DAILY",
      "FREQ=WEEKLY;UNTIL=20261231T235959Z;BYDAY=MO,WE,FR",
      "FREQ=MONTHLY;BYMONTHDAY=1,15,-1",
      "FREQ=MONTHLY;BYDAY=1MO,3MO",
    ]) {
      expect(formatRRule(parseRRule(text))).toBe(text);
    }
  });

  it("refuses what it does not support or what RFC 5545 §3.3.10 forbids, saying why", () => {
    expect(() => parseRRule("FREQ=YEARLY")).toThrow("FREQ=YEARLY is not supported");
    expect(() => parseRRule("FREQ=DAILY;BYSETPOS=1")).toThrow("BYSETPOS is not supported");
    expect(() => parseRRule("FREQ=DAILY;COUNT=3;UNTIL=20261231T000000Z")).toThrow("COUNT and UNTIL");
    expect(() => parseRRule("FREQ=WEEKLY;BYDAY=1MO")).toThrow("needs FREQ=MONTHLY");
    expect(() => parseRRule("FREQ=WEEKLY;BYMONTHDAY=1")).toThrow("cannot be used with WEEKLY");
    expect(() => parseRRule("FREQ=DAILY;UNTIL=20261231")).toThrow("must be a UTC date-time");
    expect(() => parseRRule("FREQ=DAILY;COUNT=0")).toThrow("COUNT must be between 1");
    expect(() => parseRRule(`FREQ=DAILY;COUNT=${MAX_COUNT + 1}`)).toThrow(`between 1 and ${MAX_COUNT}`);
    expect(() => parseRRule("FREQ=DAILY;INTERVAL=1;INTERVAL=2")).toThrow("INTERVAL appears twice");
    expect(() => parseRRule("INTERVAL=2")).toThrow("FREQ is required");
    expect(() => parseRRule("FREQ=MONTHLY;BYDAY=XX")).toThrow("not a weekday");
  });
});

describe("expandBooking", () => {
  const weekly: BookingSchedule = {
    start: { date: "2026-03-16", time: "09:00" },
    durationMinutes: 60,
    timeZone: "Europe/Paris",
    rule: parseRRule("FREQ=WEEKLY;BYDAY=MO"),
  };

  it("keeps a weekly 09:00 booking at 09:00 local across the March and October changes", () => {
    const occurrences = expandBooking(weekly, window("2026-03-16T00:00:00Z", "2026-11-10T00:00:00Z"));
    expect(occurrences).toHaveLength(35); // every Monday from 16 March to 9 November
    for (const o of occurrences) {
      expect(toWallClock(o.start, "Europe/Paris").time).toBe("09:00");
      expect(toWallClock(o.end, "Europe/Paris").time).toBe("10:00");
    }
    // 09:00 CET is 08:00Z before the change, 09:00 CEST is 07:00Z after, and 08:00Z again after October.
    expect(occurrences[1]?.start.toISOString()).toBe("2026-03-23T08:00:00.000Z");
    expect(occurrences[2]?.start.toISOString()).toBe("2026-03-30T07:00:00.000Z");
    expect(occurrences.at(-1)?.start.toISOString()).toBe("2026-11-09T08:00:00.000Z");
  });

  it("does the same in New York, whose clocks change on other dates", () => {
    const schedule: BookingSchedule = {
      ...weekly,
      timeZone: "America/New_York",
      start: { date: "2026-03-02", time: "09:00" },
    };
    const starts = expandBooking(schedule, window("2026-03-01T00:00:00Z", "2026-03-20T00:00:00Z")).map((o) =>
      o.start.toISOString(),
    );
    expect(starts).toEqual([
      "2026-03-02T14:00:00.000Z",
      "2026-03-09T13:00:00.000Z",
      "2026-03-16T13:00:00.000Z",
    ]);
  });

  it("moves an occurrence that falls in the DST gap forward by the gap, the others stay put", () => {
    const daily: BookingSchedule = {
      start: { date: "2026-03-28", time: "02:30" },
      durationMinutes: 30,
      timeZone: "Europe/Paris",
      rule: parseRRule("FREQ=DAILY;COUNT=3"),
    };
    expect(localStarts(daily, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z").map((w) => w.time)).toEqual([
      "02:30",
      "03:30",
      "02:30",
    ]);
  });

  it("expands monthly -1FR (the last Friday) and 1MO", () => {
    const lastFriday: BookingSchedule = {
      start: { date: "2026-01-30", time: "16:00" },
      durationMinutes: 90,
      timeZone: "Europe/Paris",
      rule: parseRRule("FREQ=MONTHLY;BYDAY=-1FR;COUNT=5"),
    };
    expect(
      localStarts(lastFriday, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z").map((w) => w.date),
    ).toEqual(["2026-01-30", "2026-02-27", "2026-03-27", "2026-04-24", "2026-05-29"]);
    const firstMonday = {
      ...lastFriday,
      start: { date: "2026-02-02", time: "10:00" },
      rule: parseRRule("FREQ=MONTHLY;BYDAY=1MO;COUNT=3"),
    };
    expect(
      localStarts(firstMonday, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z").map((w) => w.date),
    ).toEqual(["2026-02-02", "2026-03-02", "2026-04-06"]);
  });

  it("skips months without the day for BYMONTHDAY=31 and resolves negative days from the end", () => {
    const on31: BookingSchedule = {
      start: { date: "2026-01-31", time: "12:00" },
      durationMinutes: 60,
      timeZone: "UTC",
      rule: parseRRule("FREQ=MONTHLY;COUNT=3"),
    };
    expect(localStarts(on31, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z").map((w) => w.date)).toEqual([
      "2026-01-31",
      "2026-03-31",
      "2026-05-31",
    ]);
    const lastDay = { ...on31, rule: parseRRule("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3") };
    expect(localStarts(lastDay, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z").map((w) => w.date)).toEqual([
      "2026-01-31",
      "2026-02-28",
      "2026-03-31",
    ]);
  });

  it("stops at UNTIL (inclusive) and at COUNT, and applies INTERVAL with WKST", () => {
    const until: BookingSchedule = {
      ...weekly,
      rule: parseRRule("FREQ=WEEKLY;BYDAY=MO;UNTIL=20260330T070000Z"),
    };
    expect(localStarts(until, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z").map((w) => w.date)).toEqual([
      "2026-03-16",
      "2026-03-23",
      "2026-03-30",
    ]);
    // Every other week on Tuesday and Sunday: with WKST=MO the Sunday belongs to the Tuesday's week,
    // with WKST=SU to the week before (the example in RFC 5545 §3.3.10 under WKST).
    const start = { date: "1997-08-05", time: "09:00" };
    const mo = { ...weekly, start, rule: parseRRule("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO") };
    const su = { ...mo, rule: parseRRule("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU") };
    expect(localStarts(mo, "1997-01-01T00:00:00Z", "1998-01-01T00:00:00Z").map((w) => w.date)).toEqual([
      "1997-08-05",
      "1997-08-10",
      "1997-08-19",
      "1997-08-24",
    ]);
    expect(localStarts(su, "1997-01-01T00:00:00Z", "1998-01-01T00:00:00Z").map((w) => w.date)).toEqual([
      "1997-08-05",
      "1997-08-17",
      "1997-08-19",
      "1997-08-31",
    ]);
  });

  it("removes EXDATEs, which still count towards COUNT", () => {
    const schedule: BookingSchedule = {
      ...weekly,
      rule: parseRRule("FREQ=WEEKLY;BYDAY=MO;COUNT=4"),
      exdates: [{ date: "2026-03-30", time: "09:00" }],
    };
    expect(localStarts(schedule, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z").map((w) => w.date)).toEqual([
      "2026-03-16",
      "2026-03-23",
      "2026-04-06",
    ]);
  });

  it("returns only what overlaps the window, including an occurrence that began before it", () => {
    const occurrences = expandBooking(weekly, window("2026-03-23T08:30:00Z", "2026-03-30T07:00:00Z"));
    expect(occurrences.map((o) => o.local.date)).toEqual(["2026-03-23"]);
  });

  it("refuses a window with too many occurrences rather than truncating it", () => {
    const daily: BookingSchedule = { ...weekly, rule: parseRRule("FREQ=DAILY") };
    expect(() =>
      expandBooking(daily, window("2026-03-16T00:00:00Z", "2026-04-16T00:00:00Z"), { maxOccurrences: 10 }),
    ).toThrow("repeats more than 10 times");
    expect(
      expandBooking(daily, window("2026-03-16T00:00:00Z", "2026-03-26T00:00:00Z"), { maxOccurrences: 10 }),
    ).toHaveLength(10);
  });

  it("refuses a first booking the rule would not produce, and a bad duration or zone", () => {
    expect(() =>
      expandBooking(
        { ...weekly, rule: parseRRule("FREQ=WEEKLY;BYDAY=TU") },
        window("2026-01-01Z", "2027-01-01Z"),
      ),
    ).toThrow("not a day the rule repeats on");
    expect(() =>
      expandBooking({ ...weekly, durationMinutes: 0 }, window("2026-01-01Z", "2027-01-01Z")),
    ).toThrow("durationMinutes");
    expect(() =>
      expandBooking({ ...weekly, timeZone: "Europe/Pariss" }, window("2026-01-01Z", "2027-01-01Z")),
    ).toThrow('Unknown time zone "Europe/Pariss"');
  });
});

describe("overlaps and firstConflict", () => {
  const at = (iso: string) => new Date(iso);

  it("treats intervals as half-open: touching is not overlapping", () => {
    const nine = { start: at("2026-01-01T09:00:00Z"), end: at("2026-01-01T10:00:00Z") };
    expect(overlaps(nine, { start: at("2026-01-01T10:00:00Z"), end: at("2026-01-01T11:00:00Z") })).toBe(
      false,
    );
    expect(overlaps(nine, { start: at("2026-01-01T09:59:00Z"), end: at("2026-01-01T11:00:00Z") })).toBe(true);
    expect(overlaps(nine, { start: at("2026-01-01T09:15:00Z"), end: at("2026-01-01T09:30:00Z") })).toBe(true);
  });

  it("finds the first clash between a weekly and a daily series", () => {
    const weeklyThursday: BookingSchedule = {
      start: { date: "2026-03-05", time: "14:00" },
      durationMinutes: 60,
      timeZone: "Europe/Paris",
      rule: parseRRule("FREQ=WEEKLY;BYDAY=TH"),
    };
    // Daily 14:30 from Monday 9 March, but only on weekdays other than Thursday in the first week.
    const daily: BookingSchedule = {
      start: { date: "2026-03-09", time: "14:30" },
      durationMinutes: 30,
      timeZone: "Europe/Paris",
      rule: parseRRule("FREQ=DAILY"),
      exdates: [{ date: "2026-03-12", time: "14:30" }],
    };
    const conflict = firstConflict(
      weeklyThursday,
      daily,
      window("2026-03-01T00:00:00Z", "2026-06-01T00:00:00Z"),
    );
    expect(conflict?.a.local).toEqual({ date: "2026-03-19", time: "14:00" });
    expect(conflict?.b.local).toEqual({ date: "2026-03-19", time: "14:30" });
    expect(
      firstConflict(daily, weeklyThursday, window("2026-03-01T00:00:00Z", "2026-06-01T00:00:00Z"))?.a.local
        .date,
    ).toBe("2026-03-19");
  });

  it("returns null when series only touch, or a single booking is elsewhere", () => {
    const morning: BookingSchedule = {
      start: { date: "2026-03-02", time: "09:00" },
      durationMinutes: 60,
      timeZone: "America/New_York",
      rule: parseRRule("FREQ=DAILY"),
    };
    const after: BookingSchedule = { ...morning, start: { date: "2026-03-02", time: "10:00" } };
    expect(firstConflict(morning, after, window("2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z"))).toBeNull();
    const single: BookingSchedule = {
      start: { date: "2026-04-10", time: "09:30" },
      durationMinutes: 15,
      timeZone: "Europe/London",
    };
    // 09:30 London is 04:30 New York: no clash with the New York 09:00 series.
    expect(firstConflict(morning, single, window("2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z"))).toBeNull();
    // 14:30 London is 09:30 New York (both on summer time on 10 April): a clash.
    const clash = { ...single, start: { date: "2026-04-10", time: "14:30" } };
    expect(
      firstConflict(morning, clash, window("2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z"))?.a.local.date,
    ).toBe("2026-04-10");
  });
});

describe("expandBooking far from the start", () => {
  it("gives the same occurrences for a window years after DTSTART as a full expansion would", () => {
    const base: BookingSchedule = {
      start: { date: "2026-01-05", time: "23:30" },
      durationMinutes: 120,
      timeZone: "Pacific/Auckland",
    };
    for (const text of [
      "FREQ=DAILY;INTERVAL=3",
      "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR",
      "FREQ=MONTHLY;BYDAY=-1FR,1MO",
    ]) {
      // 2026-01-05 is a Monday and the first Monday of its month, so every rule produces it.
      const schedule = { ...base, rule: parseRRule(text) };
      const all = expandBooking(schedule, window("2026-01-01T00:00:00Z", "2031-01-01T00:00:00Z"), {
        maxOccurrences: 1000,
      });
      const from = new Date("2030-06-10T10:45:00Z");
      const to = new Date("2030-08-01T00:00:00Z");
      const expected = all.filter((o) => o.end > from && o.start < to).map((o) => o.start.toISOString());
      expect(expected.length).toBeGreaterThan(0);
      expect(expandBooking(schedule, { from, to }).map((o) => o.start.toISOString())).toEqual(expected);
    }
  });
});

describe("DAILY with BYDAY", () => {
  it("repeats on weekdays only, the usual 'every working day' booking", () => {
    const workdays: BookingSchedule = {
      start: { date: "2026-11-20", time: "08:30" },
      durationMinutes: 480,
      timeZone: "Europe/Berlin",
      rule: parseRRule("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=4"),
    };
    expect(localStarts(workdays, "2026-11-01T00:00:00Z", "2026-12-31T00:00:00Z").map((w) => w.date)).toEqual([
      "2026-11-20",
      "2026-11-23",
      "2026-11-24",
      "2026-11-25",
    ]);
  });
});

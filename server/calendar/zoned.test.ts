import { describe, expect, it } from "vitest";
import {
  addDays,
  assertTimeZone,
  daysBetween,
  offsetAt,
  offsetTransitions,
  toInstant,
  toWallClock,
  weekdayOf,
} from "./zoned";

const iso = (date: Date) => date.toISOString();

describe("toInstant", () => {
  it("converts an ordinary wall time with the zone's offset", () => {
    expect(iso(toInstant({ date: "2026-01-15", time: "09:00" }, "Europe/Paris"))).toBe(
      "2026-01-15T08:00:00.000Z",
    );
    expect(iso(toInstant({ date: "2026-07-15", time: "09:00" }, "Europe/Paris"))).toBe(
      "2026-07-15T07:00:00.000Z",
    );
    expect(iso(toInstant({ date: "2026-07-15", time: "09:00:30" }, "America/New_York"))).toBe(
      "2026-07-15T13:00:30.000Z",
    );
  });

  it("moves a time in the spring gap forward by the gap (RFC 5545 §3.3.5)", () => {
    // Paris: 02:00 CET jumps to 03:00 CEST on 2026-03-29; 02:30 does not exist and reads as 03:30 CEST.
    const paris = toInstant({ date: "2026-03-29", time: "02:30" }, "Europe/Paris");
    expect(iso(paris)).toBe("2026-03-29T01:30:00.000Z");
    expect(toWallClock(paris, "Europe/Paris")).toEqual({ date: "2026-03-29", time: "03:30" });
    // New York: 02:00 EST jumps to 03:00 EDT on 2026-03-08.
    const newYork = toInstant({ date: "2026-03-08", time: "02:30" }, "America/New_York");
    expect(iso(newYork)).toBe("2026-03-08T07:30:00.000Z");
    expect(toWallClock(newYork, "America/New_York")).toEqual({ date: "2026-03-08", time: "03:30" });
  });

  it("takes the earlier instant for a time in the autumn overlap (RFC 5545 §3.3.5)", () => {
    // Paris: 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET) on 2026-10-25.
    expect(iso(toInstant({ date: "2026-10-25", time: "02:30" }, "Europe/Paris"))).toBe(
      "2026-10-25T00:30:00.000Z",
    );
    expect(toWallClock(new Date("2026-10-25T01:30:00Z"), "Europe/Paris")).toEqual({
      date: "2026-10-25",
      time: "02:30",
    });
    // New York: 01:30 happens at 05:30Z (EDT) and 06:30Z (EST) on 2026-11-01.
    expect(iso(toInstant({ date: "2026-11-01", time: "01:30" }, "America/New_York"))).toBe(
      "2026-11-01T05:30:00.000Z",
    );
  });

  it("round-trips every hour of the transition days outside the gap", () => {
    for (const [zone, date] of [
      ["Europe/Paris", "2026-03-29"],
      ["Europe/Paris", "2026-10-25"],
      ["America/New_York", "2026-03-08"],
      ["America/New_York", "2026-11-01"],
    ] as const) {
      for (let hour = 0; hour < 24; hour++) {
        const time = `${String(hour).padStart(2, "0")}:15`;
        const back = toWallClock(toInstant({ date, time }, zone), zone);
        // Only the gap hour may move, and then by exactly the gap.
        expect([time, `${String(hour + 1).padStart(2, "0")}:15`]).toContain(back.time);
        expect(back.date).toBe(date);
      }
    }
  });

  it("refuses an unknown zone, an offset, and impossible dates or times with clear errors", () => {
    expect(() => toInstant({ date: "2026-01-01", time: "09:00" }, "Mars/Olympus_Mons")).toThrow(
      'Unknown time zone "Mars/Olympus_Mons"',
    );
    expect(() => assertTimeZone("+02:00")).toThrow("Unknown time zone");
    expect(() => toInstant({ date: "2026-02-30", time: "09:00" }, "UTC")).toThrow("not a date");
    expect(() => toInstant({ date: "2026-02-01", time: "24:00" }, "UTC")).toThrow("not a time");
    expect(() => toInstant({ date: "2026-2-1", time: "09:00" }, "UTC")).toThrow("not a date");
  });
});

describe("offsets and transitions", () => {
  it("reports offsets in minutes east of UTC", () => {
    expect(offsetAt(new Date("2026-07-01T00:00:00Z"), "Europe/Paris")).toBe(120);
    expect(offsetAt(new Date("2026-01-01T00:00:00Z"), "America/New_York")).toBe(-300);
    expect(offsetAt(new Date("2026-01-01T00:00:00Z"), "Asia/Kolkata")).toBe(330);
  });

  it("finds each DST change to the second", () => {
    expect(offsetTransitions("America/New_York", new Date("2026-01-01Z"), new Date("2027-01-01Z"))).toEqual([
      { instant: new Date("2026-03-08T07:00:00Z"), offsetFrom: -300, offsetTo: -240 },
      { instant: new Date("2026-11-01T06:00:00Z"), offsetFrom: -240, offsetTo: -300 },
    ]);
    expect(offsetTransitions("Asia/Tokyo", new Date("2026-01-01Z"), new Date("2027-01-01Z"))).toEqual([]);
  });
});

describe("local date arithmetic", () => {
  it("adds days across month, year and DST boundaries", () => {
    expect(addDays("2026-03-28", 1)).toBe("2026-03-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
    expect(daysBetween("2026-03-01", "2026-04-01")).toBe(31);
    expect(weekdayOf("2026-11-21")).toBe(6);
    expect(weekdayOf("2026-11-22")).toBe(7);
  });
});

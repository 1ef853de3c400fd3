import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { formatSlot, MAX_OCCURRENCES, planBooking } from "./schedule";

const fieldsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, fields: error.fields, message: error.message };
    throw error;
  }
  throw new Error("expected an AppError");
};

describe("planBooking", () => {
  it("keeps a weekly 09:00 series at 09:00 in Berlin across the end of summer time", () => {
    const plan = planBooking({
      start: "2026-10-20T09:00",
      end: "2026-10-20T10:00",
      timeZone: "Europe/Berlin",
      rrule: "FREQ=WEEKLY",
      until: "2026-11-03",
    });
    // Summer time ends on Sunday 25 October 2026: 07:00 UTC before, 08:00 UTC after.
    expect(plan.occurrences.map((o) => o.start.toISOString())).toEqual([
      "2026-10-20T07:00:00.000Z",
      "2026-10-27T08:00:00.000Z",
      "2026-11-03T08:00:00.000Z",
    ]);
    expect(plan.occurrences.every((o) => o.end.getTime() - o.start.getTime() === 3_600_000)).toBe(true);
    expect(plan.rrule).toBe("FREQ=WEEKLY;UNTIL=20261103T225959Z");
    expect(plan.lastStart?.toISOString()).toBe("2026-11-03T08:00:00.000Z");
  });

  it("reads an instant with an offset and a wall-clock time alike", () => {
    const a = planBooking({
      start: "2026-12-01T08:00:00Z",
      end: "2026-12-01T09:00:00Z",
      timeZone: "Europe/Berlin",
    });
    const b = planBooking({ start: "2026-12-01T09:00", end: "2026-12-01T10:00", timeZone: "Europe/Berlin" });
    expect(a.occurrences).toEqual(b.occurrences);
    expect(a.schedule.start).toEqual({ date: "2026-12-01", time: "09:00" });
  });

  it("refuses what it cannot book, naming the field", () => {
    const base = { start: "2026-12-01T09:00", end: "2026-12-01T10:00", timeZone: "Europe/Berlin" };
    expect(fieldsOf(() => planBooking({ ...base, end: "2026-12-01T08:00" })).fields).toEqual({
      end: ["The booking must end after it starts"],
    });
    expect(fieldsOf(() => planBooking({ ...base, timeZone: "Mars/Olympus" })).fields).toHaveProperty(
      "timeZone",
    );
    expect(fieldsOf(() => planBooking({ ...base, rrule: "FREQ=WEEKLY" })).fields).toEqual({
      until: ["A repeating booking needs an end: give until, or COUNT in the rule"],
    });
    expect(fieldsOf(() => planBooking({ ...base, rrule: "FREQ=DAILY", until: "2027-12-31" })).fields).toEqual(
      {
        until: [`A series has at most ${MAX_OCCURRENCES} occurrences; choose an earlier end`],
      },
    );
    expect(fieldsOf(() => planBooking({ ...base, rrule: "FREQ=DAILY;COUNT=201" })).fields).toHaveProperty(
      "rrule",
    );
    expect(fieldsOf(() => planBooking({ ...base, until: "2026-12-31" })).fields).toHaveProperty("until");
    expect(fieldsOf(() => planBooking({ ...base, start: "tomorrow" })).fields).toHaveProperty("start");
    expect(fieldsOf(() => planBooking({ ...base, rrule: "FREQ=YEARLY;COUNT=2" })).fields).toHaveProperty(
      "rrule",
    );
  });

  it("expands exactly MAX_OCCURRENCES", () => {
    const plan = planBooking({
      start: "2026-12-01T09:00",
      end: "2026-12-01T09:30",
      timeZone: "Europe/Berlin",
      rrule: `FREQ=DAILY;COUNT=${MAX_OCCURRENCES}`,
    });
    expect(plan.occurrences).toHaveLength(MAX_OCCURRENCES);
  });
});

describe("formatSlot", () => {
  it("writes a slot the way people read it, on the zone's clock", () => {
    const start = new Date("2026-12-01T08:00:00Z");
    const end = new Date("2026-12-01T09:00:00Z");
    expect(formatSlot({ start, end }, "Europe/Berlin")).toBe("Tue 1 Dec 09:00–10:00 (Europe/Berlin)");
    expect(formatSlot({ start, end }, "Europe/Berlin", { year: true })).toBe(
      "Tue 1 Dec 2026 09:00–10:00 (Europe/Berlin)",
    );
    expect(formatSlot({ start, end: new Date("2026-12-02T01:00:00Z") }, "Europe/Berlin")).toBe(
      "Tue 1 Dec 09:00 – Wed 2 Dec 02:00 (Europe/Berlin)",
    );
  });
});

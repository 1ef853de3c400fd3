import { describe, expect, it } from "vitest";
import {
  bookingInvite,
  escapeText,
  foldLine,
  roomFeed,
  unescapeText,
  unfoldLines,
  vtimezone,
  type CalendarBooking,
} from "./ics";
import { parseRRule } from "./recurrence";

const octets = (line: string) => new TextEncoder().encode(line).length;

/**
 * A small reader that proves the output is well formed: CRLF line endings, no line over 75 octets,
 * every unfolded line `NAME *(;PARAM=VALUE):VALUE` (RFC 5545 §3.1), and BEGIN/END properly nested.
 */
function readCalendar(text: string): { name: string; params: string; value: string }[] {
  expect(text.endsWith("\r\n")).toBe(true);
  expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
  for (const physical of text.split("\r\n")) expect(octets(physical)).toBeLessThanOrEqual(75);
  const paramValue = String.raw`(?:"[^"]*"|[^";:,]*)`;
  const contentLine = new RegExp(
    String.raw`^([A-Z][A-Z0-9-]*)((?:;[A-Z][A-Z0-9-]*=${paramValue}(?:,${paramValue})*)*):(.*)$`,
  );
  const stack: string[] = [];
  const lines = unfoldLines(text).map((l) => {
    const match = contentLine.exec(l);
    if (!match) throw new Error(`not a content line: ${l}`);
    const [, name = "", params = "", value = ""] = match;
    if (name === "BEGIN") stack.push(value);
    if (name === "END") expect(stack.pop()).toBe(value);
    return { name, params, value };
  });
  expect(stack).toEqual([]);
  return lines;
}

const booking: CalendarBooking = {
  uid: "booking-42@tenet.test",
  summary: "Board review; Q3, budget\nbring laptops",
  location: "Salle Étoile, 3e étage",
  description:
    "Café ☕ et croissants 🥐 pour tous — merci de confirmer votre présence avant jeudi, s'il vous plaît.",
  organizer: { email: "alice@acme.test", name: "Alice Martin" },
  attendees: [
    {
      email: "bob@acme.test",
      name: "Bob, Jr.",
      role: "REQ-PARTICIPANT",
      partstat: "NEEDS-ACTION",
      rsvp: true,
    },
    { email: "etoile@rooms.acme.test", name: "Salle Étoile", cutype: "ROOM", role: "NON-PARTICIPANT" },
  ],
  sequence: 0,
  status: "CONFIRMED",
  updatedAt: new Date("2026-03-01T10:00:00Z"),
  schedule: {
    start: { date: "2026-03-16", time: "09:00" },
    durationMinutes: 60,
    timeZone: "Europe/Paris",
    rule: parseRRule("FREQ=WEEKLY;BYDAY=MO;COUNT=10"),
    exdates: [{ date: "2026-03-30", time: "09:00" }],
  },
};

describe("TEXT escaping and line folding (RFC 5545 §3.3.11, §3.1)", () => {
  it("escapes backslash, semicolon, comma and line breaks, and unescapes back", () => {
    const text = "a\\b;c,d\ne\r\nf\rg";
    expect(escapeText(text)).toBe("a\\\\b\\;c\\,d\\ne\\nf\\ng");
    expect(unescapeText(escapeText(text))).toBe("a\\b;c,d\ne\nf\ng");
    expect(escapeText("bell\u0007 tab\t")).toBe("bell tab\t");
  });

  it("folds at 75 octets without splitting a multi-byte character, and unfolds to the original", () => {
    const values = [
      "DESCRIPTION:" + "🥐☕".repeat(40),
      "SUMMARY:" + "Réunion à l'étage, café équitable — ".repeat(6),
      "LOCATION:" + "x".repeat(74) + "é" + "👩‍👩‍👧".repeat(5),
      "SUMMARY:" + "a".repeat(67),
    ];
    for (const original of values) {
      const folded = foldLine(original);
      for (const physical of folded.split("\r\n")) expect(octets(physical)).toBeLessThanOrEqual(75);
      expect(folded).not.toContain("\uFFFD");
      expect(unfoldLines(`${folded}\r\n`)).toEqual([original]);
    }
    expect(foldLine("SUMMARY:" + "a".repeat(67))).toBe("SUMMARY:" + "a".repeat(67));
    expect(foldLine("SUMMARY:" + "a".repeat(68))).toBe("SUMMARY:" + "a".repeat(67) + "\r\n a");
  });
});

describe("bookingInvite", () => {
  it("writes a full REQUEST invite exactly (golden)", () => {
    const expected = [
      "BEGIN:VCALENDAR",
      "PRODID:-//Tenet//Facilities//EN",
      "VERSION:2.0",
      "CALSCALE:GREGORIAN",
      "METHOD:REQUEST",
      "BEGIN:VTIMEZONE",
      "TZID:Europe/Paris",
      "BEGIN:STANDARD",
      "DTSTART:20260101T010000",
      "TZOFFSETFROM:+0100",
      "TZOFFSETTO:+0100",
      "END:STANDARD",
      "BEGIN:DAYLIGHT",
      "DTSTART:20260329T020000",
      "TZOFFSETFROM:+0100",
      "TZOFFSETTO:+0200",
      "END:DAYLIGHT",
      "BEGIN:STANDARD",
      "DTSTART:20261025T030000",
      "TZOFFSETFROM:+0200",
      "TZOFFSETTO:+0100",
      "END:STANDARD",
      "END:VTIMEZONE",
      "BEGIN:VEVENT",
      "UID:booking-42@tenet.test",
      "DTSTAMP:20260301T100000Z",
      "DTSTART;TZID=Europe/Paris:20260316T090000",
      "DTEND;TZID=Europe/Paris:20260316T100000",
      "RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO",
      "EXDATE;TZID=Europe/Paris:20260330T090000",
      "SUMMARY:Board review\\; Q3\\, budget\\nbring laptops",
      "LOCATION:Salle Étoile\\, 3e étage",
      "DESCRIPTION:Café ☕ et croissants 🥐 pour tous — merci de confirmer v",
      " otre présence avant jeudi\\, s'il vous plaît.",
      "ORGANIZER;CN=Alice Martin:mailto:alice@acme.test",
      'ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="Bob, Jr."',
      " :mailto:bob@acme.test",
      "ATTENDEE;CUTYPE=ROOM;ROLE=NON-PARTICIPANT;CN=Salle Étoile:mailto:etoile@ro",
      " oms.acme.test",
      "SEQUENCE:0",
      "STATUS:CONFIRMED",
      "END:VEVENT",
      "END:VCALENDAR",
      "",
    ].join("\r\n");
    const invite = bookingInvite(booking, "REQUEST", { now: new Date("2026-03-01T10:00:00Z") });
    expect(invite).toBe(expected);
    const lines = readCalendar(invite);
    const summary = lines.find((l) => l.name === "SUMMARY");
    expect(unescapeText(summary?.value ?? "")).toBe(booking.summary);
    expect(unescapeText(lines.find((l) => l.name === "DESCRIPTION")?.value ?? "")).toBe(booking.description);
  });

  it("writes a CANCEL with STATUS:CANCELLED and the caller's sequence", () => {
    const invite = bookingInvite({ ...booking, sequence: 3 }, "CANCEL", {
      now: new Date("2026-03-02T10:00:00Z"),
    });
    const lines = readCalendar(invite);
    const value = (name: string) => lines.find((l) => l.name === name)?.value;
    expect(value("METHOD")).toBe("CANCEL");
    expect(value("STATUS")).toBe("CANCELLED");
    expect(value("SEQUENCE")).toBe("3");
    expect(value("UID")).toBe("booking-42@tenet.test");
  });

  it("refuses invites without organizer or attendees, and addresses that could inject lines", () => {
    expect(() => bookingInvite({ ...booking, organizer: undefined }, "REQUEST")).toThrow(
      "needs an organizer",
    );
    expect(() => bookingInvite({ ...booking, attendees: [] }, "REQUEST")).toThrow("at least one attendee");
    expect(() =>
      bookingInvite(
        { ...booking, attendees: [{ email: "bob@acme.test\r\nATTENDEE:mailto:eve@evil.test" }] },
        "REQUEST",
      ),
    ).toThrow("is not an email address");
  });

  it("writes DURATION instead of a DTEND that would be misread in the autumn overlap", () => {
    // 01:00 EDT + 1 hour is 01:00 EST; "DTEND:...T010000" would mean 01:00 EDT (RFC 5545 §3.3.5).
    const overlap: CalendarBooking = {
      ...booking,
      schedule: {
        start: { date: "2026-11-01", time: "01:00" },
        durationMinutes: 60,
        timeZone: "America/New_York",
      },
    };
    const lines = readCalendar(bookingInvite(overlap, "REQUEST", { now: new Date("2026-10-01T00:00:00Z") }));
    expect(lines.find((l) => l.name === "DURATION")?.value).toBe("PT1H");
    expect(lines.some((l) => l.name === "DTEND")).toBe(false);
    expect(lines.some((l) => l.name === "RRULE" || l.name === "EXDATE")).toBe(false);
  });
});

describe("roomFeed", () => {
  it("lists each booking with one VTIMEZONE per zone, names the calendar, has no METHOD", () => {
    const newYork: CalendarBooking = {
      ...booking,
      uid: "booking-43@tenet.test",
      status: "TENTATIVE",
      schedule: {
        start: { date: "2026-03-02", time: "09:00" },
        durationMinutes: 30,
        timeZone: "America/New_York",
        rule: parseRRule("FREQ=DAILY;UNTIL=20260310T000000Z"),
      },
    };
    const feed = roomFeed({ name: "Salle Étoile; 3e, Paris" }, [booking, newYork]);
    const lines = readCalendar(feed);
    expect(lines.some((l) => l.name === "METHOD")).toBe(false);
    expect(lines.find((l) => l.name === "X-WR-CALNAME")?.value).toBe("Salle Étoile\\; 3e\\, Paris");
    expect(lines.filter((l) => l.name === "TZID").map((l) => l.value)).toEqual([
      "America/New_York",
      "Europe/Paris",
    ]);
    expect(lines.filter((l) => l.name === "UID").map((l) => l.value)).toEqual([
      "booking-42@tenet.test",
      "booking-43@tenet.test",
    ]);
    expect(lines.filter((l) => l.name === "STATUS").map((l) => l.value)).toEqual(["CONFIRMED", "TENTATIVE"]);
    expect(lines.filter((l) => l.name === "DTSTAMP").map((l) => l.value)).toEqual([
      "20260301T100000Z",
      "20260301T100000Z",
    ]);
  });
});

describe("vtimezone", () => {
  it("writes one STANDARD observance for a zone without DST", () => {
    expect(
      vtimezone("Asia/Tokyo", new Date("2026-05-01T00:00:00Z"), new Date("2026-06-01T00:00:00Z")),
    ).toEqual([
      "BEGIN:VTIMEZONE",
      "TZID:Asia/Tokyo",
      "BEGIN:STANDARD",
      "DTSTART:20260101T090000",
      "TZOFFSETFROM:+0900",
      "TZOFFSETTO:+0900",
      "END:STANDARD",
      "END:VTIMEZONE",
    ]);
  });

  it("covers an open-ended series for several years of changes", () => {
    const openEnded: CalendarBooking = {
      ...booking,
      schedule: { ...booking.schedule, rule: parseRRule("FREQ=WEEKLY;BYDAY=MO"), exdates: [] },
    };
    const lines = readCalendar(
      bookingInvite(openEnded, "REQUEST", { now: new Date("2026-03-01T10:00:00Z") }),
    );
    const daylight = lines.filter((l) => l.name === "BEGIN" && l.value === "DAYLIGHT");
    expect(daylight.length).toBeGreaterThanOrEqual(5);
    expect(lines.some((l) => l.name === "EXDATE")).toBe(false);
  });
});

describe("booking validation", () => {
  it("refuses a booking whose schedule is invalid before writing anything", () => {
    expect(() =>
      bookingInvite({ ...booking, schedule: { ...booking.schedule, durationMinutes: -5 } }, "REQUEST"),
    ).toThrow("durationMinutes");
    expect(() =>
      roomFeed({ name: "A" }, [{ ...booking, schedule: { ...booking.schedule, timeZone: "CEST" } }]),
    ).toThrow('Unknown time zone "CEST"');
  });
});

import { describe, expect, it } from "vitest";
import { nextCronTime, parseCron, parseDuration, parseRetryAfter, retryDelay, sleepUntil } from "./time";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("parseDuration", () => {
  it.each([
    ["1w2d3h4m5s", 7 * DAY + 2 * DAY + 3 * HOUR + 4 * MINUTE + 5 * SECOND],
    ["30s", 30 * SECOND],
    ["1m", MINUTE],
    ["2h", 2 * HOUR],
    ["1d", DAY],
    ["2h30m10s", 2 * HOUR + 30 * MINUTE + 10 * SECOND],
  ])("reads the SDK's time string %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ["500ms", 500],
    ["2 days", 2 * DAY],
    ["1.5h", 1.5 * HOUR],
    ["10 minutes", 10 * MINUTE],
    ["1 hour", HOUR],
    ["1H", HOUR],
    ["1y", 365.25 * DAY],
    ["500", 500],
    [" 5s ", 5 * SECOND],
    ["0s", 0],
  ])("reads the ms-package string %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "  ", "-1h", "abc", "1 fortnight", "1h30", "1e3", "5s later", "99999999999999999999y"])(
    "refuses %j",
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );
});

describe("sleepUntil", () => {
  const now = new Date("2024-01-01T00:00:00Z");

  it("reads a time string as relative to now", () => {
    expect(sleepUntil("1h30m", now)).toEqual(new Date("2024-01-01T01:30:00Z"));
  });

  it("reads the ISO instants the SDK writes for sleepUntil", () => {
    expect(sleepUntil("2024-06-01T12:00:00.000Z", now)).toEqual(new Date("2024-06-01T12:00:00Z"));
    expect(sleepUntil("2024-06-01T12:00:00+02:00", now)).toEqual(new Date("2024-06-01T10:00:00Z"));
    expect(sleepUntil("2024-06-01T12:00:00.123456789Z", now)).toEqual(new Date("2024-06-01T12:00:00.123Z"));
  });

  it("refuses text that is neither, including times without a zone", () => {
    expect(sleepUntil("tomorrow", now)).toBeNull();
    expect(sleepUntil("2024-06-01T12:00:00", now)).toBeNull();
    // What `step.sleep(id, 0)` sends: the SDK's timeStr(0) is "".
    expect(sleepUntil("", now)).toBeNull();
  });
});

describe("parseCron", () => {
  it("defaults the zone to UTC and keeps the expression as written", () => {
    expect(parseCron("0 9 * * MON-FRI")).toEqual({ expression: "0 9 * * MON-FRI", timezone: "UTC" });
  });

  it("takes the zone from a TZ= or CRON_TZ= prefix", () => {
    expect(parseCron("TZ=Europe/Paris 0 9 * * *")).toEqual({
      expression: "0 9 * * *",
      timezone: "Europe/Paris",
    });
    expect(parseCron("CRON_TZ=America/New_York  30 2 * * *")).toEqual({
      expression: "30 2 * * *",
      timezone: "America/New_York",
    });
  });

  it("accepts seconds as a sixth field, and nicknames", () => {
    expect(parseCron("*/15 * * * * *").expression).toBe("*/15 * * * * *");
    expect(parseCron("TZ=Asia/Tokyo @daily")).toEqual({ expression: "@daily", timezone: "Asia/Tokyo" });
  });

  it.each([
    ["60 * * * *", /Invalid cron schedule "60 \* \* \* \*": .*minute/],
    ["* * *", /exactly five, six, or seven/],
    ["", /Invalid cron schedule ""/],
    ["TZ=Mars/Olympus 0 9 * * *", /unknown time zone "Mars\/Olympus"/],
    ["TZ= 0 9 * * *", /unknown time zone ""/],
    ["0 0 30 2 *", /never fires/],
    ["2024-01-01T00:00:00Z", /not a cron expression/],
    ["@every 5m", /Invalid cron schedule/],
  ])("refuses %j", (spec, message) => {
    expect(() => parseCron(spec)).toThrow(message);
  });
});

describe("nextCronTime", () => {
  it("is strictly after the given time", () => {
    expect(nextCronTime("0 * * * *", new Date("2024-01-01T10:00:00Z"))).toEqual(
      new Date("2024-01-01T11:00:00Z"),
    );
    expect(nextCronTime("0 * * * *", new Date("2024-01-01T09:59:59.999Z"))).toEqual(
      new Date("2024-01-01T10:00:00Z"),
    );
  });

  it("follows the zone's offset through the year", () => {
    const paris = "TZ=Europe/Paris 0 9 * * *";
    expect(nextCronTime(paris, new Date("2024-01-15T00:00:00Z"))).toEqual(new Date("2024-01-15T08:00:00Z"));
    expect(nextCronTime(paris, new Date("2024-07-15T00:00:00Z"))).toEqual(new Date("2024-07-15T07:00:00Z"));
  });

  it("runs a daily job once when its local time is skipped or repeated by DST", () => {
    const newYork = "CRON_TZ=America/New_York 30 1 * * *";
    // 2024-11-03 01:30 happens twice in New York (EDT, then EST): the job runs at the first only.
    const first = nextCronTime(newYork, new Date("2024-11-03T04:00:00Z"));
    expect(first).toEqual(new Date("2024-11-03T05:30:00Z"));
    expect(nextCronTime(newYork, first)).toEqual(new Date("2024-11-04T06:30:00Z"));
    // 2024-03-10 02:30 does not exist in New York; the job runs when the clock jumps to 03:00.
    expect(nextCronTime("CRON_TZ=America/New_York 30 2 * * *", new Date("2024-03-09T12:00:00Z"))).toEqual(
      new Date("2024-03-10T07:00:00Z"),
    );
  });

  it("fires on either a set day of the month or a set weekday, as cron always has", () => {
    // 2024-04-01 is a Monday; the next match is Monday the 8th, not the 1st of May.
    expect(nextCronTime("0 0 1 * MON", new Date("2024-04-01T12:00:00Z"))).toEqual(
      new Date("2024-04-08T00:00:00Z"),
    );
  });

  it("finds rare dates", () => {
    expect(nextCronTime("0 0 29 2 *", new Date("2024-03-01T00:00:00Z"))).toEqual(
      new Date("2028-02-29T00:00:00Z"),
    );
  });

  it("throws for an invalid schedule", () => {
    expect(() => nextCronTime("nope", new Date())).toThrow(/Invalid cron schedule "nope"/);
  });
});

describe("retryDelay", () => {
  it("doubles per attempt, between 50 % and 100 % of base·2^attempt", () => {
    expect(retryDelay(0, 1000, () => 0)).toBe(500);
    expect(retryDelay(0, 1000, () => 0.999999)).toBe(1000);
    expect(retryDelay(3, 1000, () => 0)).toBe(4000);
    expect(retryDelay(3, 1000, () => 0.5)).toBe(6000);
  });

  it("never exceeds 10 minutes, and still spreads retries out there", () => {
    expect(retryDelay(30, 1000, () => 0.999999)).toBe(10 * MINUTE);
    expect(retryDelay(2000, 1000, () => 0)).toBe(5 * MINUTE);
  });

  it("stays in range with the default random source", () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const ceiling = Math.min(1000 * 2 ** attempt, 10 * MINUTE);
      const delay = retryDelay(attempt, 1000);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});

describe("parseRetryAfter", () => {
  const now = new Date("2024-01-01T00:00:00Z");

  it("reads whole seconds from now, as RetryAfterError('…', '30s') sends them", () => {
    expect(parseRetryAfter("30", now)).toEqual(new Date("2024-01-01T00:00:30Z"));
    expect(parseRetryAfter("0", now)).toEqual(now);
  });

  it("reads ISO 8601 and HTTP dates", () => {
    expect(parseRetryAfter("2024-06-01T12:00:00.000Z", now)).toEqual(new Date("2024-06-01T12:00:00Z"));
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now)).toEqual(new Date("2015-10-21T07:28:00Z"));
  });

  it.each(["", "1.5", "soon", "March 7", "2024-06-01"])("refuses %j", (value) => {
    expect(parseRetryAfter(value, now)).toBeNull();
  });
});

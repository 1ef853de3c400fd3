import { dayRange } from "@/app/_components/ui/date-range-fields";
import { describe, expect, it } from "vitest";
import {
  describeTimelineEntry,
  elapsedMs,
  errorText,
  formatElapsed,
  hasContent,
  jsonText,
  stepTiming,
} from "./run-view";

describe("formatElapsed", () => {
  it.each([
    [0, "0 ms"],
    [349.6, "350 ms"],
    [2_400, "2.4 s"],
    [12_345, "12 s"],
    [60_000, "1 min"],
    [185_000, "3 min 5 s"],
    [7_800_000, "2 h 10 min"],
    [3_600_000, "1 h"],
    [-5, "–"],
  ])("%d ms is %s", (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});

describe("elapsedMs", () => {
  it("measures to the end, or to now while running, and not without a start", () => {
    expect(elapsedMs("2026-01-01T00:00:00.000Z", "2026-01-01T00:00:02.500Z")).toBe(2_500);
    expect(elapsedMs("2026-01-01T00:00:00.000Z", null, Date.parse("2026-01-01T00:01:00.000Z"))).toBe(60_000);
    expect(elapsedMs(null, "2026-01-01T00:00:00.000Z")).toBeNull();
  });
});

describe("describeTimelineEntry", () => {
  it("says what happened, to which step, and which attempt from the second on", () => {
    expect(describeTimelineEntry({ kind: "run.started", stepName: null, attempt: null })).toBe("Run started");
    expect(describeTimelineEntry({ kind: "step.completed", stepName: "echo", attempt: 0 })).toBe(
      "Step completed: echo",
    );
    expect(describeTimelineEntry({ kind: "step.errored", stepName: "verify-chain", attempt: 1 })).toBe(
      "Attempt failed; it will be retried: verify-chain (attempt 2)",
    );
    expect(describeTimelineEntry({ kind: "engine.new_thing", stepName: null, attempt: null })).toBe(
      "engine.new_thing",
    );
  });
});

describe("dayRange", () => {
  it("turns whole days into instants with an exclusive end", () => {
    const range = dayRange("2026-03-01", "2026-03-02");
    expect(range?.from?.getDate()).toBe(1);
    expect(range?.to?.getDate()).toBe(3);
    expect(range?.to && range.from ? range.to.getTime() - range.from.getTime() : 0).toBeGreaterThanOrEqual(
      47 * 3_600_000,
    );
  });

  it("leaves out what is empty and refuses what is not a range", () => {
    expect(dayRange("", "")).toEqual({ from: undefined, to: undefined });
    expect(dayRange("2026-03-02", "2026-03-01")).toBeNull();
    expect(dayRange("yesterday", "")).toBeNull();
  });
});

describe("errorText and jsonText", () => {
  it("shows an error's name and message but never its stack", () => {
    expect(errorText({ name: "NonRetriableError", message: "No tenant has the id x" })).toBe(
      "NonRetriableError: No tenant has the id x",
    );
    expect(errorText({ name: "Error", message: "boom" })).toBe("boom");
    expect(errorText(null)).toBe("");
  });

  it("prints JSON, and says when there is none", () => {
    expect(jsonText({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(jsonText(undefined)).toBe("(none)");
    expect(jsonText(null)).toBe("null");
  });
});

describe("stepTiming", () => {
  it("starts a step when the call it ran in started, and ends it when the engine says", () => {
    const step = { createdAt: "2026-01-01T00:00:01.000Z", endedAt: "2026-01-01T00:00:01.000Z" };
    expect(stepTiming(step, [{ startedAt: "2026-01-01T00:00:00.400Z" }, { startedAt: null }])).toEqual({
      startedAt: "2026-01-01T00:00:00.400Z",
      endedAt: "2026-01-01T00:00:01.000Z",
    });
    // A sleep has no call: it starts when it was planned.
    expect(
      stepTiming({ createdAt: "2026-01-01T00:00:02.000Z", endedAt: null }, [{ startedAt: null }]),
    ).toEqual({
      startedAt: "2026-01-01T00:00:02.000Z",
      endedAt: null,
    });
  });
});

describe("hasContent", () => {
  it("hides what is absent or empty", () => {
    expect([null, undefined, {}, []].map(hasContent)).toEqual([false, false, false, false]);
    expect([0, "", { a: 1 }, [1], false].map(hasContent)).toEqual([true, true, true, true, true]);
  });
});

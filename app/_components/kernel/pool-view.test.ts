import { describe, expect, it } from "vitest";
import type { KernelPoolSettings } from "@/app/_lib/trpc-types";
import {
  appliesTo,
  barRects,
  describeChanges,
  draftOf,
  formatFairness,
  formatSetting,
  formatWait,
  linePath,
  parseDraft,
  scaleMax,
} from "./pool-view";

const MODEL: KernelPoolSettings = {
  policy: "fair_share",
  concurrency: 16,
  requestsPerMinute: 3000,
  tokensPerMinute: 1_000_000,
  tenantConcurrency: null,
  tenantRequestsPerMinute: null,
  tenantTokensPerMinute: null,
  agingPerSecond: 0.5,
  defaultDeadlineMs: 60_000,
};

describe("the edit form's draft", () => {
  it("round-trips a pool's settings, a missing limit as an empty field", () => {
    const draft = draftOf(MODEL);
    expect(draft).toMatchObject({ concurrency: "16", tenantConcurrency: "", agingPerSecond: "0.5" });
    expect(parseDraft(draft)).toEqual({ ok: true, settings: MODEL });
  });

  it("reads an emptied limit as no limit and thousands separators as typed", () => {
    const parsed = parseDraft({ ...draftOf(MODEL), requestsPerMinute: " ", tokensPerMinute: "2,000,000" });
    expect(parsed).toEqual({
      ok: true,
      settings: { ...MODEL, requestsPerMinute: null, tokensPerMinute: 2_000_000 },
    });
  });

  it("names each field that is not a number; concurrency and the policy's settings cannot be empty", () => {
    expect(
      parseDraft({ ...draftOf(MODEL), concurrency: "", tenantConcurrency: "lots", defaultDeadlineMs: "" }),
    ).toEqual({
      ok: false,
      errors: {
        concurrency: "Enter a number",
        tenantConcurrency: "Enter a number, or leave it empty for no limit",
        defaultDeadlineMs: "Enter a number",
      },
    });
  });

  it("shows aging only under priority and the default deadline only under deadline", () => {
    expect(appliesTo("agingPerSecond", "priority")).toBe(true);
    expect(appliesTo("agingPerSecond", "fifo")).toBe(false);
    expect(appliesTo("defaultDeadlineMs", "deadline")).toBe(true);
    expect(appliesTo("defaultDeadlineMs", "fair_share")).toBe(false);
    expect(appliesTo("concurrency", "round_robin")).toBe(true);
  });

  it("lists what a save changes, in words", () => {
    expect(
      describeChanges(MODEL, { ...MODEL, policy: "fifo", concurrency: 8, requestsPerMinute: null }),
    ).toEqual([
      { key: "policy", label: "Policy", from: "Weighted fair share", to: "First in, first out" },
      { key: "concurrency", label: "Concurrency", from: "16", to: "8" },
      { key: "requestsPerMinute", label: "Requests per minute", from: "3,000", to: "No limit" },
    ]);
    expect(describeChanges(MODEL, MODEL)).toEqual([]);
  });
});

describe("numbers in words", () => {
  it("formats settings, waits and the fairness index", () => {
    expect(formatSetting("defaultDeadlineMs", 60_000)).toBe("60,000 ms");
    expect(formatSetting("agingPerSecond", 0.5)).toBe("0.5 per second");
    expect(formatSetting("tenantConcurrency", null)).toBe("No limit");
    expect(formatSetting("policy", "deadline")).toBe("Earliest deadline first");
    expect([null, 0.42, 35.4, 1234, 150_000].map(formatWait)).toEqual([
      "–",
      "0.4 ms",
      "35 ms",
      "1.2 s",
      "2.5 min",
    ]);
    expect(formatFairness(null)).toBe("–");
    expect(formatFairness(0.987)).toBe("0.99");
  });
});

describe("chart geometry", () => {
  it("rounds the scale up to 1, 2 or 5 times a power of ten", () => {
    expect(scaleMax([])).toBe(1);
    expect(scaleMax([null, 0])).toBe(1);
    expect(scaleMax([3, null, 7])).toBe(10);
    expect(scaleMax([12])).toBe(20);
    expect(scaleMax([41])).toBe(50);
    expect(scaleMax([100])).toBe(100);
  });

  it("draws bars from the baseline, one per slot", () => {
    expect(barRects([0, 5, 10], { width: 30, height: 100, max: 10 })).toEqual([
      { x: 1, y: 100, width: 8, height: 0 },
      { x: 11, y: 50, width: 8, height: 50 },
      { x: 21, y: 0, width: 8, height: 100 },
    ]);
  });

  it("breaks the line where a minute has nothing to measure", () => {
    expect(linePath([0, 10, null, 5], { width: 40, height: 100, max: 10 })).toBe("M5 100 L15 0 M35 50");
    expect(linePath([null, null], { width: 40, height: 100, max: 10 })).toBe("");
  });
});

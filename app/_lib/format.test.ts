import { describe, expect, it } from "vitest";
import { formatDuration } from "./format";

describe("formatDuration", () => {
  it.each([
    [0, "0 minutes"],
    [1, "1 minute"],
    [45, "45 minutes"],
    [60, "1 hour"],
    [150, "2 hours 30 minutes"],
    [1440, "1 day"],
    [3 * 1440 + 4 * 60, "3 days 4 hours"],
  ])("%i minutes is %s", (minutes, text) => {
    expect(formatDuration(minutes)).toBe(text);
  });
});

import { describe, expect, it } from "vitest";
import {
  estimatePromptTokens,
  estimateRequestTokens,
  estimateTextTokens,
  parseRetryAfter,
  ProviderError,
  ProviderFailure,
  ProviderRateLimited,
  ProviderUnavailable,
} from "./provider";

const headers = (values: Record<string, string>) => new Headers(values);

describe("token estimate", () => {
  it("counts four ASCII characters per token, rounding up", () => {
    expect(estimateTextTokens("")).toBe(0);
    expect(estimateTextTokens("abc")).toBe(1);
    expect(estimateTextTokens("abcd")).toBe(1);
    expect(estimateTextTokens("abcde")).toBe(2);
  });

  it("counts every non-ASCII character as a token, so CJK text is not undercounted", () => {
    expect(estimateTextTokens("会議室を予約")).toBe(6);
    expect(estimateTextTokens("book 会議室")).toBe(2 + 3);
  });

  it("adds each message's overhead and the reply's priming, then maxTokens", () => {
    const messages = [
      { role: "system" as const, content: "You are helpful." },
      { role: "user" as const, content: "Book room r-401" },
    ];
    // 3 priming + (4 + 4) + (4 + 4)
    expect(estimatePromptTokens(messages)).toBe(19);
    expect(estimateRequestTokens({ messages, maxTokens: 100 })).toBe(119);
    expect(estimatePromptTokens([])).toBe(3);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-03-01T12:00:00Z");

  it("prefers retry-after-ms, fractions included", () => {
    expect(parseRetryAfter(headers({ "retry-after-ms": "1500", "retry-after": "9" }), now)).toBe(1500);
    expect(parseRetryAfter(headers({ "retry-after-ms": "12.5" }), now)).toBe(12.5);
  });

  it("reads Retry-After as seconds", () => {
    expect(parseRetryAfter(headers({ "retry-after": "3" }), now)).toBe(3000);
    expect(parseRetryAfter(headers({ "retry-after": "0" }), now)).toBe(0);
    expect(parseRetryAfter(headers({ "retry-after": "1.5" }), now)).toBe(1500);
  });

  it("reads Retry-After as an HTTP-date, a past one meaning now", () => {
    expect(parseRetryAfter(headers({ "retry-after": "Sat, 01 Mar 2025 12:00:30 GMT" }), now)).toBe(30_000);
    // The obsolete RFC 850 form, which RFC 9110 still asks recipients to accept.
    expect(parseRetryAfter(headers({ "retry-after": "Saturday, 01-Mar-25 12:01:00 GMT" }), now)).toBe(60_000);
    expect(parseRetryAfter(headers({ "retry-after": "Sat, 01 Mar 2025 11:00:00 GMT" }), now)).toBe(0);
  });

  it("gives null when there is nothing usable", () => {
    expect(parseRetryAfter(headers({}), now)).toBeNull();
    for (const value of ["-1", "soon", "12-1", ""])
      expect(parseRetryAfter(headers({ "retry-after": value }), now)).toBeNull();
    // An unusable retry-after-ms falls back to Retry-After.
    expect(parseRetryAfter(headers({ "retry-after-ms": "abc", "retry-after": "2" }), now)).toBe(2000);
  });
});

describe("provider errors", () => {
  it("are three sibling kinds, so instanceof ProviderError means not retryable", () => {
    const limited = new ProviderRateLimited("slow down", 250);
    const unavailable = new ProviderUnavailable("down", 503);
    const refused = new ProviderError("bad request", 400);
    for (const error of [limited, unavailable, refused]) expect(error).toBeInstanceOf(ProviderFailure);
    expect(limited).not.toBeInstanceOf(ProviderError);
    expect(unavailable).not.toBeInstanceOf(ProviderError);
    expect([limited.retryable, unavailable.retryable, refused.retryable]).toEqual([true, true, false]);
    expect([limited.name, unavailable.name, refused.name]).toEqual([
      "ProviderRateLimited",
      "ProviderUnavailable",
      "ProviderError",
    ]);
    expect(limited).toMatchObject({ status: 429, retryAfterMs: 250 });
  });
});

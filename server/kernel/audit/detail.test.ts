import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json";
import { normalizeDetail, REDACTED, storable } from "./detail";

describe("normalizeDetail", () => {
  it("redacts secret-looking keys at every depth, whatever their value", () => {
    const detail = normalizeDetail({
      password: "hunter2",
      user: { name: "Bob", newPassword: "x", profile: { client_secret: { nested: "s" } } },
      headers: [{ Authorization: "Bearer abc" }, { accept: "json" }],
      accessToken: 42,
      refresh_token: null,
      "api-key": "k1",
      api_key: "k2",
      APIKEY: "k3",
      apiKey: "k4",
      credentials: ["a", "b"],
      tokenCount: 3,
      harmless: "password is not a key here",
    });
    expect(detail).toEqual({
      password: REDACTED,
      user: { name: "Bob", newPassword: REDACTED, profile: { client_secret: REDACTED } },
      headers: [{ Authorization: REDACTED }, { accept: "json" }],
      accessToken: REDACTED,
      refresh_token: REDACTED,
      "api-key": REDACTED,
      api_key: REDACTED,
      APIKEY: REDACTED,
      apiKey: REDACTED,
      credentials: REDACTED,
      // Over-redacting a counter is the price of never logging a token.
      tokenCount: REDACTED,
      harmless: "password is not a key here",
    });
    expect(canonicalJson(detail)).not.toMatch(/hunter2|Bearer|k[1-4]|"s"/);
  });

  it("writes dates as ISO strings, drops undefined members and turns array holes into null", () => {
    expect(
      normalizeDetail({ at: new Date("2026-01-02T03:04:05.678Z"), gone: undefined, list: [1, undefined] }),
    ).toEqual({ at: "2026-01-02T03:04:05.678Z", list: [1, null] });
  });

  it("makes strings storable: NUL and lone surrogates become U+FFFD, pairs stay", () => {
    expect(storable("a\0b")).toBe("a\uFFFDb");
    expect(storable("x\uD83D")).toBe("x\uFFFD");
    expect(storable("\uDE00y")).toBe("\uFFFDy");
    expect(storable("😀")).toBe("😀");
    expect(normalizeDetail({ "k\0": "v\uD800" })).toEqual({ "k\uFFFD": "v\uFFFD" });
  });

  it("keeps a __proto__ key as data", () => {
    const detail = normalizeDetail(
      JSON.parse('{"__proto__": {"polluted": true}}') as { [k: string]: string },
    );
    expect(Object.keys(detail)).toEqual(["__proto__"]);
    const fresh: { polluted?: boolean } = {};
    expect(fresh.polluted).toBeUndefined();
  });

  it("refuses values JSON cannot hold and absurd nesting", () => {
    expect(() => normalizeDetail({ n: Number.NaN })).toThrow(/JSON cannot/);
    type Deep = { d?: Deep };
    const deep: Deep = {};
    let cursor = deep;
    for (let i = 0; i < 30; i++) cursor = cursor.d = {};
    expect(() => normalizeDetail(deep)).toThrow(/nested deeper/);
  });
});

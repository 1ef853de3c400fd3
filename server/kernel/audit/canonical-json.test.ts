import { describe, expect, it } from "vitest";
import { canonicalJson, type JsonValue } from "./canonical-json";

describe("canonicalJson", () => {
  it("sorts keys at every depth and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: true }], c: "x" } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":true,"z":null}]},"b":1}',
    );
  });

  it("orders keys by UTF-16 code units, as RFC 8785 does", () => {
    // "Z" (0x5a) < "a" (0x61) < "é" (0xe9) < "😀" (0xd83d…) < "ﬀ" (0xfb00)
    const value = { ﬀ: 5, "😀": 4, é: 3, a: 2, Z: 1 };
    expect(canonicalJson(value)).toBe('{"Z":1,"a":2,"é":3,"😀":4,"ﬀ":5}');
  });

  it("keeps array order and writes numbers and strings as JSON.stringify does", () => {
    expect(canonicalJson([3, 1, 2])).toBe("[3,1,2]");
    expect(canonicalJson([1e21, 0.1, -0, 1.5e-7, 100])).toBe("[1e+21,0.1,0,1.5e-7,100]");
    expect(canonicalJson('line\n"quote"\\ \u0001 é')).toBe('"line\\n\\"quote\\"\\\\ \\u0001 é"');
  });

  it("is the same for equal values however they were built", () => {
    const a: JsonValue = JSON.parse('{ "x" : [1, 2], "a" : { "k": "v" } }') as JsonValue;
    const b: JsonValue = { a: { k: "v" }, x: [1, 2] };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(JSON.parse(canonicalJson(a))).toEqual(b);
  });

  it("leaves out undefined members and refuses numbers JSON cannot write", () => {
    const withUndefined: { [key: string]: JsonValue | undefined } = { a: 1, b: undefined };
    expect(canonicalJson(withUndefined as { [key: string]: JsonValue })).toBe('{"a":1}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/no JSON form/);
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow(/no JSON form/);
  });

  it("writes empty containers and scalars", () => {
    expect(canonicalJson({})).toBe("{}");
    expect(canonicalJson([])).toBe("[]");
    expect(canonicalJson(null)).toBe("null");
    expect(canonicalJson(false)).toBe("false");
  });
});

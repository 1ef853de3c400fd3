import { describe, expect, it } from "vitest";
import { ExpressionError, checkExpression, evaluateKey, evaluateNumber, matches } from "./expressions";

const event = {
  name: "it/access.requested",
  data: { x: 2, ratio: 1.5, id: "u1", tags: ["a", "b"], nested: { b: 1, a: "z" }, empty: null },
  ts: 1718000000000,
};

describe("checkExpression", () => {
  it.each([
    "event.data.x > 1",
    "event.data.id == async.data.id",
    "event.name == 'it/access.requested' && event.data.x >= 2",
    "event.data.tags.exists(t, t == 'a')",
    "event.data.tags.all(t, size(t) == 1)",
    "has(event.data.x) && !has(event.data.y)",
    "event.data.id in ['u1', 'u2']",
    "event.data.x > 1 ? 'big' : 'small'",
    "type(event.data.x) == double",
    "{'k': event.data.x}['k'] == 2",
    "event.name.startsWith('it/') || event.data.id.matches('^u')",
    "lowercase(event.data.id) == 'u1'",
  ])("accepts %s", (source) => {
    expect(checkExpression(source)).toBeNull();
  });

  it("names the expression and the syntax problem, without the parser's list of expectations", () => {
    expect(checkExpression("event.data.x >")).toBe(
      'Invalid expression "event.data.x >": unexpected > at line 1, column 14',
    );
  });

  it("rejects unknown names, which would otherwise never match", () => {
    expect(checkExpression("evnt.data.x == 1")).toBe(
      "Invalid expression \"evnt.data.x == 1\": unknown name 'evnt' (the variables are event and async)",
    );
  });

  it("rejects unknown functions and methods", () => {
    expect(checkExpression("size2(event.data)")).toMatch(/unknown function 'size2'/);
    expect(checkExpression("event.data.id.lowerAscii() == 'u1'")).toMatch(/unknown function 'lowerAscii'/);
  });

  it("lets a macro's loop variable be used only inside the macro", () => {
    expect(checkExpression("event.data.tags.exists(t, t == 'a') && t == 'b'")).toMatch(/unknown name 't'/);
  });

  it("rejects an empty expression", () => {
    expect(checkExpression("  ")).toBe('Invalid expression "  ": the expression is empty');
  });
});

describe("ExpressionError", () => {
  it("carries the expression and the problem apart from the message", () => {
    const error = new ExpressionError("a ==", "unexpected end of input");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ExpressionError");
    expect(error.message).toBe('Invalid expression "a ==": unexpected end of input');
    expect(error.expression).toBe("a ==");
    expect(error.problem).toBe("unexpected end of input");
  });
});

describe("matches", () => {
  it("is true without an expression", () => {
    expect(matches(undefined, { event })).toBe(true);
    expect(matches(null, { event })).toBe(true);
    expect(matches("", { event })).toBe(true);
  });

  it("compares JSON numbers (CEL doubles) with integer literals", () => {
    expect(matches("event.data.x > 1", { event })).toBe(true);
    expect(matches("event.data.x == 2", { event })).toBe(true);
    expect(matches("event.data.x == 3", { event })).toBe(false);
    expect(matches("event.data.ratio < 2", { event })).toBe(true);
  });

  it("matches the waited-for event against the run's event, as `match: 'data.id'` generates", () => {
    const source = "event.data.id == async.data.id";
    expect(matches(source, { event, async: { name: "it/access.granted", data: { id: "u1" } } })).toBe(true);
    expect(matches(source, { event, async: { name: "it/access.granted", data: { id: "u2" } } })).toBe(false);
  });

  it("is false when a field is missing, even though the same expression elsewhere is fine", () => {
    expect(matches("event.data.missing == 1", { event })).toBe(false);
    expect(matches("event.data.id == async.data.id", { event })).toBe(false);
    // CEL's `||` absorbs an error on one side.
    expect(matches("event.data.missing == 1 || event.data.x == 2", { event })).toBe(true);
  });

  it("is false for a result that is not a boolean, and for an invalid expression", () => {
    expect(matches("event.data.id", { event })).toBe(false);
    expect(matches("event.data.x >", { event })).toBe(false);
  });

  it("reads any JSON object, including keys the CEL library would otherwise take for protobuf", () => {
    const odd = {
      data: {
        $typeName: "google.protobuf.Empty",
        bare: Object.assign(Object.create(null) as object, { v: 1 }),
      },
    };
    expect(matches("event.data['$typeName'] == 'google.protobuf.Empty'", { event: odd })).toBe(true);
    expect(matches("event.data.bare.v == 1", { event: odd })).toBe(true);
  });
});

describe("evaluateKey", () => {
  it("renders strings as they are and numbers without a trailing .0", () => {
    expect(evaluateKey("event.data.id", { event })).toBe("u1");
    expect(evaluateKey("event.data.x", { event })).toBe("2");
    expect(evaluateKey("event.data.ratio", { event })).toBe("1.5");
    expect(evaluateKey("1 + 2", { event })).toBe("3");
    expect(evaluateKey("uint(7)", { event })).toBe("7");
    expect(evaluateKey("event.data.x > 1", { event })).toBe("true");
  });

  it("renders lists and maps as JSON with sorted keys", () => {
    expect(evaluateKey("event.data.tags", { event })).toBe('["a","b"]');
    expect(evaluateKey("event.data.nested", { event })).toBe('{"a":"z","b":1}');
    expect(evaluateKey("event.data.empty", { event })).toBe("null");
  });

  it("is null when evaluation fails or the value has no JSON form", () => {
    expect(evaluateKey("event.data.missing", { event })).toBeNull();
    expect(evaluateKey("event.data.x >", { event })).toBeNull();
    expect(evaluateKey("b'ab'", { event })).toBeNull();
  });

  it("combines fields, as a per-tenant concurrency key does", () => {
    expect(evaluateKey("event.data.id + '-' + event.name", { event })).toBe("u1-it/access.requested");
  });
});

describe("evaluateNumber", () => {
  it("turns any CEL number into a JS number", () => {
    expect(evaluateNumber("event.data.x * 10.0", { event })).toBe(20);
    expect(evaluateNumber("event.data.x > 1 ? 120 : -60", { event })).toBe(120);
    expect(evaluateNumber("uint(5)", { event })).toBe(5);
  });

  it("is null for other values and for errors", () => {
    expect(evaluateNumber("event.data.id", { event })).toBeNull();
    expect(evaluateNumber("event.data.missing", { event })).toBeNull();
    // CEL has no mixed double/int arithmetic; JSON numbers are doubles.
    expect(evaluateNumber("event.data.x + 1", { event })).toBeNull();
  });
});

describe("the compiled-expression cache", () => {
  it("keeps giving the same answers past its size limit", () => {
    for (let i = 0; i < 1100; i++) expect(matches(`event.data.x == ${i}`, { event })).toBe(i === 2);
    expect(matches("event.data.x == 2", { event })).toBe(true);
    expect(checkExpression("event.data.x ==")).not.toBeNull();
  });
});

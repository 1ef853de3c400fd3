import { describe, expect, it } from "vitest";
import { lineAt, lineRange, policyRange } from "./text-position";

const TEXT = `// first\n@id("a")\npermit (principal, action, resource);\n\n@id("b")\nforbid (principal, action, resource);\n`;

describe("lineRange", () => {
  it("finds a line without its line break", () => {
    expect(TEXT.slice(lineRange(TEXT, 2).start, lineRange(TEXT, 2).end)).toBe('@id("a")');
    expect(lineRange(TEXT, 1)).toEqual({ start: 0, end: 8 });
  });

  it("is the empty end of the text past the last line", () => {
    expect(lineRange(TEXT, 99)).toEqual({ start: TEXT.length, end: TEXT.length });
  });
});

describe("lineAt", () => {
  it("counts the line breaks before an index", () => {
    expect(lineAt(TEXT, 0)).toBe(1);
    expect(lineAt(TEXT, TEXT.indexOf("permit"))).toBe(3);
    expect(lineAt(TEXT, TEXT.indexOf("forbid"))).toBe(6);
  });
});

describe("policyRange", () => {
  it("spans a policy from its @id to its semicolon", () => {
    const range = policyRange(TEXT, "b");
    expect(range && TEXT.slice(range.start, range.end)).toBe(
      '@id("b")\nforbid (principal, action, resource);',
    );
  });

  it("is null for an id no policy has", () => {
    expect(policyRange(TEXT, "c")).toBeNull();
  });
});

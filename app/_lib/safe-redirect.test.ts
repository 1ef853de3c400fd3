import { describe, expect, it } from "vitest";
import { safeCallbackUrl } from "./safe-redirect";

describe("safeCallbackUrl", () => {
  it("keeps paths on this site", () => {
    expect(safeCallbackUrl("/t/acme/members")).toBe("/t/acme/members");
    expect(safeCallbackUrl("/invite/abc.def?x=1#y")).toBe("/invite/abc.def?x=1#y");
  });

  it.each([
    ["another host", "https://evil.example/"],
    ["a protocol-relative URL", "//evil.example"],
    ["a backslash host", "/\\evil.example"],
    ["a tab that parsers strip", "/\t/evil.example"],
    ["a newline", "/\n/evil.example"],
    ["a relative path", "t/acme"],
    ["javascript:", "javascript:alert(1)"],
    ["an empty string", ""],
  ])("refuses %s", (_label, value) => {
    expect(safeCallbackUrl(value)).toBeNull();
  });

  it("refuses what is not a string", () => {
    expect(safeCallbackUrl(null)).toBeNull();
    expect(safeCallbackUrl(["/t/acme"])).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { byteOffsetToIndex, positionAt, scanPolicies } from "./source";

describe("policy source positions", () => {
  it("convert UTF-8 byte offsets past multi-byte characters", () => {
    const text = 'é😀 x\n  "ü" y';
    const byteOf = (index: number) => Buffer.byteLength(text.slice(0, index), "utf8");
    for (const target of ["x", "y", "ü"]) {
      const index = text.indexOf(target);
      expect(byteOffsetToIndex(text, byteOf(index))).toBe(index);
    }
    expect(positionAt(text, text.indexOf("x"))).toEqual({ line: 1, column: 4 });
    expect(positionAt(text, text.indexOf("y"))).toEqual({ line: 2, column: 7 });
  });

  it("find policies, annotations and entity literals, skipping comments and strings", () => {
    const text = `// @id("not-me"); Tenet::User::"nor-me"
@id("a") @approval("role:admin")
forbid (principal == Tenet::User::"t/\\u{e9}", action, resource) when { resource.app == "x;y" } unless { context.approvals.contains("manager") };
@id("b") permit (principal, action, resource in Tenet :: Room :: "t/r");`;
    const policies = scanPolicies(text);
    expect(policies.map((p) => p.annotations.map((a) => `${a.name}=${a.value}`))).toEqual([
      ["id=a", "approval=role:admin"],
      ["id=b"],
    ]);
    expect(policies.map((p) => p.entities.map((e) => `${e.path.join("::")}/${e.id}`))).toEqual([
      ["Tenet::User/t/é"],
      ["Tenet::Room/t/r"],
    ]);
    expect(text.slice(policies[1]?.start, policies[1]?.end)).toBe(
      '@id("b") permit (principal, action, resource in Tenet :: Room :: "t/r");',
    );
  });
});

import { describe, expect, it } from "vitest";
import { auditFilterSchema, csvField } from "./query";

describe("csvField", () => {
  it("quotes fields with quotes, commas or line breaks and doubles the quotes (RFC 4180)", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("")).toBe("");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\r")).toBe('"cr\r"');
    expect(csvField('{"a":1,"b":"x"}')).toBe('"{""a"":1,""b"":""x""}"');
  });

  it("defuses values a spreadsheet would run as formulas", () => {
    expect(csvField('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-2")).toBe("'-2");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\tx")).toBe("'\tx");
  });
});

describe("auditFilterSchema", () => {
  it("accepts one outcome or several, and dates as strings", () => {
    const parsed = auditFilterSchema.parse({ outcome: ["denied", "failed"], from: "2026-01-01T00:00:00Z" });
    expect(parsed.from).toEqual(new Date("2026-01-01T00:00:00Z"));
    expect(auditFilterSchema.parse({ outcome: "denied" }).outcome).toBe("denied");
  });

  it("refuses a range that ends before it starts, and patterns in the action prefix", () => {
    expect(auditFilterSchema.safeParse({ from: "2026-01-02", to: "2026-01-01" }).success).toBe(false);
    expect(auditFilterSchema.safeParse({ from: "2026-01-01", to: "2026-01-01" }).success).toBe(true);
    expect(auditFilterSchema.safeParse({ actionPrefix: "member.%" }).success).toBe(false);
  });
});

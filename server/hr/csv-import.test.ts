import { describe, expect, it } from "vitest";
import { toCsv } from "@/server/finance/csv";
import { parseCsv } from "./csv-import";

describe("parseCsv (RFC 4180)", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF", () => {
    expect(parseCsv('a,b,c\r\n"x, y","say ""hi""","two\r\nlines"\nlast,,\n')).toEqual({
      records: [
        ["a", "b", "c"],
        ["x, y", 'say "hi"', "two\r\nlines"],
        ["last", "", ""],
      ],
    });
  });

  it("reads the last record without a line break, and skips a byte-order mark", () => {
    expect(parseCsv("\uFEFFa,b\n1,2")).toEqual({
      records: [
        ["a", "b"],
        ["1", "2"],
      ],
    });
  });

  it("reads back what toCsv writes", () => {
    const rows = [
      ["plain", 'with "quotes"', "comma, inside"],
      ["multi\nline", "", "x"],
    ];
    expect(parseCsv(toCsv(rows))).toEqual({ records: rows });
  });

  it("says where a quote is left open or followed by text", () => {
    expect(parseCsv('a\n"open')).toEqual({
      problem: { row: 2, column: null, message: "A quoted field is not closed" },
    });
    expect(parseCsv('"a"b')).toEqual({
      problem: { row: 1, column: null, message: "Text after a closing quote" },
    });
  });
});

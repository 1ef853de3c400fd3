import { describe, expect, it } from "vitest";
import { uuidArrayLiteral, uuidLiteral } from "./sql";

describe("SQL literals", () => {
  it("write UUIDs as literals and refuse anything else", () => {
    const id = "3f0c8a52-5d7e-4b61-9a0e-2f1d4c6b7a80";
    expect(uuidLiteral(id)).toBe(`'${id}'::uuid`);
    expect(uuidArrayLiteral([id, id.toUpperCase()])).toBe(`'{${id},${id.toUpperCase()}}'::uuid[]`);
    expect(uuidArrayLiteral([])).toBe(`'{}'::uuid[]`);
    for (const bad of ["", "x", `${id}'; DROP TABLE "AuditEntry"; --`, `${id},${id}`, ` ${id}`])
      expect(() => uuidLiteral(bad)).toThrow("Not a UUID");
    expect(() => uuidArrayLiteral([id, "}'"])).toThrow("Not a UUID");
  });
});

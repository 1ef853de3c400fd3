import { describe, expect, it } from "vitest";
import { canonicalClaims, claimsConflict, lockId, showClaim, type Claim } from "./leases";

const at = (hour: number) => new Date(Date.UTC(2026, 11, 1, hour));
const claim = (key: string, from: number | null, to: number | null): Claim => ({
  key,
  from: from === null ? null : at(from),
  to: to === null ? null : at(to),
});

describe("lease claims", () => {
  it("conflict on the same key when their half-open intervals overlap, an open end reaching forever", () => {
    const nineToTen = claim("room:r-1", 9, 10);
    expect(claimsConflict(nineToTen, claim("room:r-1", 9, 10))).toBe(true);
    expect(claimsConflict(nineToTen, claim("room:r-1", 8, 12))).toBe(true);
    expect(claimsConflict(nineToTen, claim("room:r-1", 10, 11))).toBe(false);
    expect(claimsConflict(claim("room:r-1", 8, 9), nineToTen)).toBe(false);
    expect(claimsConflict(nineToTen, claim("room:r-2", 9, 10))).toBe(false);
    expect(claimsConflict(nineToTen, claim("room:r-1", null, null))).toBe(true);
    expect(claimsConflict(claim("employee:7", null, null), claim("employee:7", null, null))).toBe(true);
    expect(claimsConflict(nineToTen, claim("room:r-1", 10, null))).toBe(false);
    expect(claimsConflict(nineToTen, claim("room:r-1", null, 9))).toBe(false);
    expect(claimsConflict(nineToTen, claim("room:r-1", null, 10))).toBe(true);
  });

  it("are shown as key@start/end in ISO 8601, with .. for an open end and the key alone without an interval", () => {
    expect(showClaim(claim("room:r-1", 9, 10))).toBe(
      "room:r-1@2026-12-01T09:00:00.000Z/2026-12-01T10:00:00.000Z",
    );
    expect(showClaim(claim("room:r-1", 9, null))).toBe("room:r-1@2026-12-01T09:00:00.000Z/..");
    expect(showClaim(claim("employee:7", null, null))).toBe("employee:7");
  });

  it("are checked and put in canonical order (key, then start)", () => {
    expect(
      canonicalClaims([
        { key: "room:r-2", from: at(9), to: at(10) },
        { key: "room:r-1", from: at(11), to: at(12) },
        { key: "employee:7" },
        { key: "room:r-1", from: at(9), to: at(10) },
      ]).map(showClaim),
    ).toEqual([
      "employee:7",
      "room:r-1@2026-12-01T09:00:00.000Z/2026-12-01T10:00:00.000Z",
      "room:r-1@2026-12-01T11:00:00.000Z/2026-12-01T12:00:00.000Z",
      "room:r-2@2026-12-01T09:00:00.000Z/2026-12-01T10:00:00.000Z",
    ]);
    expect(() => canonicalClaims([{ key: "room:r-1", from: at(10), to: at(9) }])).toThrow(
      "The lease on room:r-1 must start before it ends",
    );
    expect(() => canonicalClaims([{ key: "room:r-1", from: at(10), to: at(10) }])).toThrow(
      "must start before",
    );
    expect(() => canonicalClaims([{ key: " " }])).toThrow("A lease key must be 1 to 200 characters");
    expect(() => canonicalClaims([{ key: "room:r-1", from: new Date("nonsense") }])).toThrow("invalid time");
  });

  it("lock ids are stable 64-bit integers, distinct for distinct names", () => {
    const id = lockId("lease:t:room:r-1");
    expect(lockId("lease:t:room:r-1")).toBe(id);
    expect(lockId("lease:t:room:r-2")).not.toBe(id);
    expect(BigInt.asIntN(64, id)).toBe(id);
  });
});

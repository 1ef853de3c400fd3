import { createHash } from "node:crypto";
import type { LeaseClaim } from "./registry";

/** A claim as the broker stores it: checked, with its ends as dates or null (open). */
export type Claim = { key: string; from: Date | null; to: Date | null };

const MAX_KEY_LENGTH = 200;

/**
 * Checks a connector's claims and puts them in canonical order (by key, then start), the order
 * their locks and rows are taken in. Throws on a claim the broker could not honour (an empty key,
 * an invalid date, an interval that ends before it starts): that is a connector bug, and the call
 * fails before anything is written.
 */
export function canonicalClaims(claims: readonly LeaseClaim[]): Claim[] {
  const checked = claims.map((claim): Claim => {
    const { key } = claim;
    if (typeof key !== "string" || key.trim() === "" || key.length > MAX_KEY_LENGTH)
      throw new Error(`A lease key must be 1 to ${MAX_KEY_LENGTH} characters, not ${JSON.stringify(key)}`);
    const from = claim.from ?? null;
    const to = claim.to ?? null;
    for (const end of [from, to])
      if (end !== null && !(end instanceof Date && Number.isFinite(end.getTime())))
        throw new Error(`The lease on ${key} has an invalid time`);
    if (from && to && from.getTime() >= to.getTime())
      throw new Error(`The lease on ${key} must start before it ends`);
    return { key, from, to };
  });
  const start = (c: Claim) => c.from?.getTime() ?? Number.NEGATIVE_INFINITY;
  return checked.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : start(a) - start(b)));
}

/**
 * Whether two claims contend: same key and overlapping half-open intervals, an open end reaching
 * forever. A claim without an interval therefore conflicts with every claim on its key. The same
 * test runs in SQL as `tstzrange(from, to, '[)') && …` (broker.ts); this one is for reading and tests.
 */
export function claimsConflict(a: Claim, b: Claim): boolean {
  if (a.key !== b.key) return false;
  const before = (end: Date | null, start: Date | null) =>
    end !== null && start !== null && end.getTime() <= start.getTime();
  return !before(a.to, b.from) && !before(b.to, a.from);
}

/** How a lease is shown to people and agents: `room:r-1@2026-12-01T09:00:00.000Z/2026-12-01T10:00:00.000Z`. */
export function showClaim(claim: Claim): string {
  if (claim.from === null && claim.to === null) return claim.key;
  // ISO 8601 writes an open end of an interval as "..".
  return `${claim.key}@${claim.from?.toISOString() ?? ".."}/${claim.to?.toISOString() ?? ".."}`;
}

/**
 * A transaction-level advisory lock id for `name` (64 bits of its SHA-256). Everything that may
 * conflict takes the same lock first, so two app processes decide one after the other. Ids from
 * different names may collide; that costs a needless wait, never a wrong decision.
 */
export function lockId(name: string): bigint {
  return createHash("sha256").update(`tenet-tool-broker:${name}`).digest().readBigInt64BE(0);
}

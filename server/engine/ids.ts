/** Run and event ids: ULIDs, sortable by time like Inngest's. */
import { encodeTime, monotonicFactory } from "ulid";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export const newId = monotonicFactory();

/**
 * The id of the `index`-th (0-based) event of a request carrying `x-inngest-event-id-seed:
 * <ms>,<base64 of 10 random bytes>`. Derived like Inngest's server does (the last four entropy bytes plus
 * the 1-based index), so the SDK's own retries of one send produce the same ids and are deduplicated.
 */
export function seededEventId(seed: string | undefined, index: number): string | null {
  const match = seed?.match(/^(\d{1,15}),([A-Za-z0-9+/]{14}==)$/);
  if (!match?.[1] || !match[2]) return null;
  const entropy = Buffer.from(match[2], "base64");
  if (entropy.length !== 10) return null;
  entropy.writeUInt32BE((entropy.readUInt32BE(6) + index + 1) >>> 0, 6);
  let bits = BigInt(`0x${entropy.toString("hex")}`);
  let random = "";
  for (let i = 0; i < 16; i++, bits >>= 5n) random = CROCKFORD.charAt(Number(bits & 31n)) + random;
  return encodeTime(Number(match[1]), 10) + random;
}

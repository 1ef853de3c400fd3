import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import canonicalize from "canonicalize";

/**
 * Request signing between the engine and the app's Inngest endpoint (docs/engine-protocol.md §6).
 * A key is `signkey-<env>-<hex>`; the prefix is optional to the SDK and is stripped the same way.
 */
const KEY_PREFIX = /^signkey-\w+-/;

/** How far a signature's timestamp may be from our clock, either way (the SDK's own window). */
const MAX_SKEW_MS = 5 * 60 * 1000;

/**
 * RFC 8785 (JCS) JSON. The SDK verifies `canonicalize(JSON.parse(body))`, not the bytes it received,
 * so the engine sends this text and signs exactly it (§6.2).
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("canonicalJson: the value has no JSON form");
  return text;
}

/** The `x-inngest-signature` header for a request body: `t=<unix seconds>&s=<hex HMAC-SHA256 of body + t>`. */
export function signBody(body: string, signingKey: string, now = new Date()): string {
  const t = Math.floor(now.getTime() / 1000).toString();
  return `t=${t}&s=${hmac(body, t, signingKey)}`;
}

/**
 * Checks an `x-inngest-signature` header over `body` as received (the SDK signs its raw response
 * body, §6.3) against each key in turn, primary first.
 */
export function verifySignature(
  header: string | null | undefined,
  body: string,
  signingKeys: string[],
  now = new Date(),
): boolean {
  if (!header) return false;
  const params = new URLSearchParams(header);
  const t = params.get("t") ?? "";
  const signature = params.get("s") ?? "";
  if (!/^\d+$/.test(t) || signature === "") return false;
  if (Math.abs(now.getTime() - Number(t) * 1000) > MAX_SKEW_MS) return false;
  // An empty key would let anyone sign; it can only be a configuration slip.
  return signingKeys.some((key) => secretOf(key) !== "" && constantTimeEqual(hmac(body, t, key), signature));
}

/**
 * The bearer token form of a key, as the SDK sends it to the engine's API (§6.1, §6.4): the prefix,
 * then the hex SHA-256 of the key's hex-decoded remainder.
 */
export function hashSigningKey(signingKey: string): string {
  const prefix = KEY_PREFIX.exec(signingKey)?.[0] ?? "";
  const secret = secretOf(signingKey);
  if (!/^(?:[0-9a-f]{2})+$/i.test(secret)) throw new Error("A signing key must be signkey-<env>-<hex>");
  return prefix + createHash("sha256").update(Buffer.from(secret, "hex")).digest("hex");
}

/** Whether an `Authorization` header is `Bearer <hashed key>` for any of the keys. */
export function verifyBearer(authorization: string | null | undefined, signingKeys: string[]): boolean {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  if (token === undefined) return false;
  return signingKeys.some((key) => constantTimeEqual(hashSigningKey(key), token));
}

/** The HMAC key is the UTF-8 text of the hex after the prefix, not the bytes it spells (§6.1). */
function hmac(body: string, t: string, signingKey: string): string {
  return createHmac("sha256", secretOf(signingKey))
    .update(body + t)
    .digest("hex");
}

function secretOf(signingKey: string): string {
  return signingKey.replace(KEY_PREFIX, "");
}

function constantTimeEqual(expected: string, actual: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  // Only the length can leak here, and every expected value (a hex digest) has the same one.
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Webhook signatures, outbound (Tenet signs what it sends) and inbound (Tenet verifies what it gets).
 *
 * Format (the same both ways), in the `Tenet-Signature` header:
 *
 *     Tenet-Signature: t=1735689600,v1=5f0c…e2,v1=9ab1…07
 *
 * `t` is the Unix time in seconds when the request was signed; each `v1` is the lowercase hex of
 * HMAC-SHA256(key = the endpoint's secret as UTF-8, message = `${t}.` followed by the raw body bytes).
 * Signing the timestamp with the body means it cannot be changed to replay an old request; the
 * receiver refuses a `t` outside its window (5 minutes by default, in either direction, for clock
 * skew). During a secret rotation the sender signs with every current secret (one `v1` each), and the
 * receiver accepts a match with any of its secrets, so either side can rotate first. Unknown keys
 * (a future `v2`) are ignored, so the scheme can evolve without breaking receivers.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { AppError } from "@/server/errors";

export const signatureHeader = "Tenet-Signature";
export const defaultToleranceSeconds = 5 * 60;
/** A header with more signatures than this is refused, bounding the HMACs one request can cost. */
const maxSignatures = 8;

/** A new endpoint secret: `whsec_` and 32 random bytes in base64url. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

function hmac(secret: string, timestamp: number, body: string | Uint8Array): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
}

function requireSecrets(secrets: readonly string[]): void {
  if (secrets.length === 0 || secrets.some((secret) => secret === "")) {
    throw new AppError("INTERNAL", "The webhook endpoint has no signing secret");
  }
}

/**
 * The `Tenet-Signature` header value for a body: one `v1` per secret (several during a rotation).
 * Sign the exact bytes that will be sent.
 */
export function signWebhook(
  body: string | Uint8Array,
  secrets: readonly string[],
  now: Date = new Date(),
): string {
  requireSecrets(secrets);
  const timestamp = Math.floor(now.getTime() / 1000);
  const signatures = secrets.map((secret) => `v1=${hmac(secret, timestamp, body).toString("hex")}`);
  return [`t=${timestamp}`, ...signatures].join(",");
}

export interface VerifyWebhookInput {
  /** The raw body as received, before any JSON parsing (re-serializing changes the bytes). */
  readonly body: string | Uint8Array;
  /** The `Tenet-Signature` header, as received. */
  readonly header: string | null | undefined;
  /** The endpoint's current secrets; any one matching is enough (rotation). */
  readonly secrets: readonly string[];
  /** How far `t` may be from now, in seconds, either way. Default 300. */
  readonly toleranceSeconds?: number;
  readonly now?: Date;
}

const refuse = (message: string) => new AppError("UNAUTHORIZED", message);

/**
 * Verifies an inbound webhook; returns its signed timestamp, or throws an UNAUTHORIZED AppError saying
 * what is wrong. The signature is checked before the timestamp, so "too old" is only said of a request
 * that really was signed with the secret. The window bounds replays; within it, deduplicate by the
 * event's id.
 */
export function verifyWebhook(input: VerifyWebhookInput): { timestamp: number } {
  requireSecrets(input.secrets);
  const tolerance = input.toleranceSeconds ?? defaultToleranceSeconds;
  if (input.header === null || input.header === undefined || input.header.trim() === "") {
    throw refuse(`The ${signatureHeader} header is missing`);
  }
  const { timestamp, signatures } = parseSignatureHeader(input.header);

  let matched = false;
  for (const secret of input.secrets) {
    const expected = hmac(secret, timestamp, input.body);
    // Every candidate is compared (no early exit) in constant time per comparison.
    for (const candidate of signatures) if (timingSafeEqual(expected, candidate)) matched = true;
  }
  if (!matched) throw refuse(`No signature in the ${signatureHeader} header matches this endpoint's secret`);

  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const age = now - timestamp;
  if (age > tolerance) {
    throw refuse(`The webhook was signed ${age} s ago; at most ${tolerance} s is accepted (a replay?)`);
  }
  if (-age > tolerance) {
    throw refuse(
      `The webhook's timestamp is ${-age} s in the future; at most ${tolerance} s of clock skew is accepted`,
    );
  }
  return { timestamp };
}

function parseSignatureHeader(header: string): { timestamp: number; signatures: Buffer[] } {
  const malformed = (why: string) => refuse(`The ${signatureHeader} header is malformed: ${why}`);
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(",")) {
    const separator = part.indexOf("=");
    if (separator < 0) throw malformed(`"${part.trim().slice(0, 20)}" is not key=value`);
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === "t") {
      if (timestamp !== null) throw malformed("more than one t");
      if (!/^\d{1,12}$/.test(value)) throw malformed("t must be Unix seconds");
      timestamp = Number(value);
    } else if (key === "v1") {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) throw malformed("each v1 must be 64 hex digits (HMAC-SHA256)");
      signatures.push(Buffer.from(value, "hex"));
    }
  }
  if (timestamp === null) throw malformed("no t");
  if (signatures.length === 0) throw malformed("no v1 signature");
  if (signatures.length > maxSignatures) throw malformed(`more than ${maxSignatures} signatures`);
  return { timestamp, signatures };
}

import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { derivedKey } from "@/server/auth/secret";

/**
 * Invite links carry `<payload>.<signature>`: the payload names the invite row and its tenant, the
 * HMAC proves we issued it. The row makes the link single-use and revocable; the signature means a
 * forged or edited link is refused before any database lookup.
 */
export type InviteTokenPayload = { inviteId: string; tenantId: string; expiresAt: number };

const payloadSchema = z.tuple([z.uuid(), z.uuid(), z.number().int()]);

const sign = (body: string) =>
  createHmac("sha256", derivedKey("invite-link")).update(body).digest("base64url");

export function signInviteToken(payload: InviteTokenPayload): string {
  const body = Buffer.from(JSON.stringify([payload.inviteId, payload.tenantId, payload.expiresAt])).toString(
    "base64url",
  );
  return `${body}.${sign(body)}`;
}

/** The payload if the signature is ours, else null. Expiry is checked by the caller, against the row. */
export function verifyInviteToken(token: string): InviteTokenPayload | null {
  const [body, signature, extra] = token.split(".");
  if (!body || !signature || extra !== undefined) return null;
  const expected = Buffer.from(sign(body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const parsed = payloadSchema.safeParse(value);
  if (!parsed.success) return null;
  const [inviteId, tenantId, expiresAt] = parsed.data;
  return { inviteId, tenantId, expiresAt };
}

import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { derivedKey } from "@/server/auth/secret";
import { env } from "@/server/env.js";
import { AppError } from "@/server/errors";

/**
 * Connections' credentials at rest: AES-256-GCM under a key named by its id, so that keys can be
 * rotated (the first key of CREDENTIALS_KEYS encrypts, all of them decrypt, and reencryptAll moves
 * rows to the current key).
 *
 * An envelope is one line of text: `v1:<keyId>:<iv>:<ciphertext>:<tag>`, the last three base64url.
 * The IV is 96 random bits, as NIST SP 800-38D §8.2.2 recommends for GCM; with random IVs a key is
 * good for 2^32 encryptions, far beyond what a tenant's connections need between rotations.
 *
 * The additional authenticated data binds the envelope to its tenant, its connection, the format
 * version and the key id: an envelope copied into another tenant's row or another connection, or
 * relabelled with another key id, fails authentication instead of decrypting.
 */

export type CredentialKey = { readonly id: string; readonly key: Buffer };
/** The keys in force: `current` encrypts, every key in `all` (current included) decrypts. */
export type CredentialKeyring = { readonly current: CredentialKey; readonly all: readonly CredentialKey[] };
/** What credentials are: the fields of a connector's credential schema, every value a string. */
export type Credentials = Record<string, string>;
/** Where an envelope belongs; it decrypts only there. */
export type EnvelopeBinding = { tenantId: string; connectionId: string };

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENVELOPE = /^v1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]*):([A-Za-z0-9_-]{22})$/;
const credentialsSchema = z.record(z.string(), z.string());

export function keyring(keys: readonly CredentialKey[]): CredentialKeyring {
  const [current] = keys;
  if (!current) throw new Error("A credentials keyring needs at least one key");
  for (const k of keys) {
    if (k.key.length !== 32) throw new Error(`Credentials key ${k.id} is not 32 bytes`);
  }
  return { current, all: keys };
}

function aad(binding: EnvelopeBinding, keyId: string): Buffer {
  // NUL-separated: none of the parts can contain NUL, so no two bindings share an encoding.
  return Buffer.from(
    ["tenet/connection-credentials", VERSION, keyId, binding.tenantId, binding.connectionId].join("\0"),
  );
}

export function encryptCredentials(
  ring: CredentialKeyring,
  binding: EnvelopeBinding,
  credentials: Credentials,
): { envelope: string; keyId: string } {
  const { id, key } = ring.current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(binding, id));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(credentials), "utf8"), cipher.final()]);
  const parts = [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString("base64url"));
  return { envelope: [VERSION, id, ...parts].join(":"), keyId: id };
}

/** The key id an envelope was written under, or null when it is not an envelope this code reads. */
export function envelopeKeyId(envelope: string): string | null {
  return ENVELOPE.exec(envelope)?.[1] ?? null;
}

/**
 * The credentials in `envelope`, which must belong to `binding`. Every failure is an INTERNAL AppError
 * whose message names the connection and key id, never the envelope or anything decrypted.
 */
export function decryptCredentials(
  ring: CredentialKeyring,
  binding: EnvelopeBinding,
  envelope: string,
): Credentials {
  const match = ENVELOPE.exec(envelope);
  const [, keyId, iv, ciphertext, tag] = match ?? [];
  if (!keyId || iv === undefined || ciphertext === undefined || tag === undefined) {
    throw new AppError(
      "INTERNAL",
      `The credentials of connection ${binding.connectionId} are not in a known format`,
    );
  }
  const key = ring.all.find((k) => k.id === keyId);
  if (!key) {
    throw new AppError(
      "INTERNAL",
      `The credentials of connection ${binding.connectionId} are encrypted under key ${keyId}, which CREDENTIALS_KEYS no longer holds`,
    );
  }
  let plaintext: string;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(iv, "base64url"), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad(binding, keyId));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    plaintext = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, "base64url")),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    // GCM says only "unable to authenticate": a wrong key, tenant or connection, or altered bytes.
    throw new AppError(
      "INTERNAL",
      `The credentials of connection ${binding.connectionId} failed authentication under key ${keyId} (altered, or not this connection's)`,
    );
  }
  const parsed = credentialsSchema.safeParse(JSON.parse(plaintext));
  if (!parsed.success) {
    throw new AppError(
      "INTERNAL",
      `The credentials of connection ${binding.connectionId} are not a set of fields`,
    );
  }
  return parsed.data;
}

/**
 * What the UI may show to tell connections apart: the last 4 characters of the longest value, and
 * only when it is at least 12 long (so at most a third of it shows); otherwise nothing of it.
 */
export function credentialsHint(credentials: Credentials): string {
  const longest = Object.values(credentials).reduce((a, b) => (b.length > a.length ? b : a), "");
  return longest.length >= 12 ? `••••${longest.slice(-4)}` : "••••";
}

let loaded: CredentialKeyring | undefined;

/** The keyring from CREDENTIALS_KEYS, loaded on first use (so `next build` needs none). */
export function credentialKeyring(): CredentialKeyring {
  loaded ??= loadKeyring();
  return loaded;
}

function loadKeyring(): CredentialKeyring {
  if (env.CREDENTIALS_KEYS) return keyring(env.CREDENTIALS_KEYS);
  if (env.NODE_ENV === "production") {
    // server/env.js refuses to start without it; only `next build` gets here.
    throw new Error("CREDENTIALS_KEYS is not set; it is required in production");
  }
  // Development and tests work out of the box with a key derived from AUTH_SECRET, as the audit
  // signing key is. Its id carries a fingerprint, so after AUTH_SECRET changes the error names a key
  // that is missing rather than reporting every envelope as tampered with.
  const key = derivedKey("connection-credentials-key");
  const fingerprint = createHash("sha256").update(key).digest("hex").slice(0, 8);
  return keyring([{ id: `dev-${fingerprint}`, key }]);
}

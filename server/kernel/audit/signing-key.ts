import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { derivedKey } from "@/server/auth/secret";
import { env } from "@/server/env.js";

export type AuditSigningKey = {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** First 16 hex digits of the sha256 of the public key's SPKI DER encoding. */
  keyId: string;
  /** The public key as SPKI PEM, for whoever holds exported checkpoints. */
  publicKeyPem: string;
};

// RFC 8410's PKCS#8 wrapping of a raw Ed25519 seed: SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 },
// OCTET STRING { OCTET STRING (32 bytes) } }, so a derived seed can become a key without a library.
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export function ed25519KeyFromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new Error("An Ed25519 seed is 32 bytes");
  return createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
}

export function keyIdOf(publicKey: KeyObject): string {
  const spki = publicKey.export({ format: "der", type: "spki" });
  return createHash("sha256").update(spki).digest("hex").slice(0, 16);
}

/** A public key from SPKI PEM (as exportCheckpoints gives it) or a KeyObject. */
export function publicKeyFrom(key: KeyObject | string): KeyObject {
  if (typeof key !== "string") return key.type === "private" ? createPublicKey(key) : key;
  const publicKey = createPublicKey(key);
  if (publicKey.asymmetricKeyType !== "ed25519") throw new Error("Not an Ed25519 public key");
  return publicKey;
}

function load(): AuditSigningKey {
  let privateKey: KeyObject;
  if (env.AUDIT_SIGNING_KEY) {
    privateKey = createPrivateKey({
      key: Buffer.from(env.AUDIT_SIGNING_KEY, "base64"),
      format: "der",
      type: "pkcs8",
    });
  } else if (env.NODE_ENV === "production") {
    // server/env.js refuses to start without it; only `next build` gets here.
    throw new Error("AUDIT_SIGNING_KEY is not set; it is required in production");
  } else {
    // Development and tests work out of the box with a key derived from AUTH_SECRET: stable across
    // restarts, different per secret, and never used in production.
    privateKey = ed25519KeyFromSeed(derivedKey("audit-checkpoint-signing-key"));
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
  };
}

let loaded: AuditSigningKey | undefined;

/** The key that signs checkpoints, loaded on first use (so `next build` needs none). */
export function auditSigningKey(): AuditSigningKey {
  loaded ??= load();
  return loaded;
}

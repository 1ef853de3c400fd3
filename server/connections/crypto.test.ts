import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import {
  credentialKeyring,
  credentialsHint,
  decryptCredentials,
  encryptCredentials,
  envelopeKeyId,
  keyring,
} from "./crypto";

const k1 = { id: "k1", key: randomBytes(32) };
const k2 = { id: "k2", key: randomBytes(32) };
const binding = { tenantId: randomUUID(), connectionId: randomUUID() };
const secret = { apiKey: "sk-live-Distinctive-4242", user: "svc@acme.example" };

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("connection credentials envelope", () => {
  it("round-trips, with a fresh IV each time and nothing of the secret in the envelope", () => {
    const ring = keyring([k1]);
    const a = encryptCredentials(ring, binding, secret);
    const b = encryptCredentials(ring, binding, secret);
    expect(a.keyId).toBe("k1");
    expect(a.envelope).toMatch(/^v1:k1:[\w-]{16}:[\w-]+:[\w-]{22}$/);
    expect(a.envelope).not.toBe(b.envelope);
    expect(a.envelope).not.toContain("Distinctive");
    expect(envelopeKeyId(a.envelope)).toBe("k1");
    expect(decryptCredentials(ring, binding, a.envelope)).toEqual(secret);
  });

  it("refuses an envelope moved to another tenant or connection", () => {
    const ring = keyring([k1]);
    const { envelope } = encryptCredentials(ring, binding, secret);
    for (const other of [
      { ...binding, tenantId: randomUUID() },
      { ...binding, connectionId: randomUUID() },
    ]) {
      const error = failure(() => decryptCredentials(ring, other, envelope));
      expect(error.code).toBe("INTERNAL");
      expect(error.message).toMatch(/failed authentication under key k1/);
    }
  });

  it("refuses a tampered envelope: any part changed, or relabelled with another key id", () => {
    const ring = keyring([k1, { id: "k9", key: k1.key }]);
    const { envelope } = encryptCredentials(ring, binding, secret);
    const [version, keyId, iv = "", ciphertext = "", tag = ""] = envelope.split(":");
    const flip = (part: string) => {
      const bytes = Buffer.from(part, "base64url");
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString("base64url");
    };
    const tampered = [
      [version, keyId, flip(iv), ciphertext, tag],
      [version, keyId, iv, flip(ciphertext), tag],
      [version, keyId, iv, ciphertext, flip(tag)],
      // Same key bytes under another id: the key id is authenticated too.
      [version, "k9", iv, ciphertext, tag],
    ].map((parts) => parts.join(":"));
    for (const bad of tampered) {
      expect(failure(() => decryptCredentials(ring, binding, bad)).message).toMatch(/failed authentication/);
    }
    for (const bad of [`v2:${envelope.slice(3)}`, "plain text", ""]) {
      expect(failure(() => decryptCredentials(ring, binding, bad)).message).toMatch(/not in a known format/);
    }
  });

  it("rotates: the first key encrypts, old keys still decrypt, a dropped key is named", () => {
    const old = encryptCredentials(keyring([k1]), binding, secret).envelope;
    const rotated = keyring([k2, k1]);
    expect(decryptCredentials(rotated, binding, old)).toEqual(secret);
    const fresh = encryptCredentials(rotated, binding, secret);
    expect(fresh.keyId).toBe("k2");
    expect(decryptCredentials(rotated, binding, fresh.envelope)).toEqual(secret);
    expect(failure(() => decryptCredentials(keyring([k2]), binding, old)).message).toMatch(
      /encrypted under key k1, which CREDENTIALS_KEYS no longer holds/,
    );
  });

  it("derives a development key from AUTH_SECRET, named by its fingerprint", () => {
    const ring = credentialKeyring();
    expect(ring.current.id).toMatch(/^dev-[0-9a-f]{8}$/);
    expect(ring.current.key).toHaveLength(32);
    expect(credentialKeyring()).toBe(ring);
  });

  it("hints at the longest value's last 4 characters only when it is long enough", () => {
    expect(credentialsHint(secret)).toBe("••••4242");
    expect(credentialsHint({ pin: "12345678901" })).toBe("••••");
    expect(credentialsHint({})).toBe("••••");
    expect(() => keyring([])).toThrow(/at least one key/);
    expect(() => keyring([{ id: "short", key: randomBytes(16) }])).toThrow(/not 32 bytes/);
  });
});

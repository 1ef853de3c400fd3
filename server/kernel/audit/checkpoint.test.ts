import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkpointMessage, verifyCheckpointSignature } from "./checkpoint";
import { auditSigningKey, ed25519KeyFromSeed, keyIdOf } from "./signing-key";
import { sign } from "node:crypto";

const tenantId = "0b0e7d0c-1a6f-4a43-8f7d-5b3a9c2e4d11";
const hash = "ab".repeat(32);

function signed(seq: bigint, privateKey = auditSigningKey().privateKey) {
  return {
    tenantId,
    seq,
    hash,
    signature: sign(null, Buffer.from(checkpointMessage(tenantId, seq, hash)), privateKey).toString("base64"),
  };
}

describe("checkpoint signatures", () => {
  it("sign the documented message", () => {
    expect(checkpointMessage(tenantId, 1200n, hash)).toBe(
      `tenet-audit-checkpoint:v1:${tenantId}:1200:${hash}`,
    );
  });

  it("verify with the signing key, in PEM too, and fail for any change", () => {
    const cp = signed(100n);
    const pem = auditSigningKey().publicKeyPem;
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(verifyCheckpointSignature(cp)).toBe(true);
    expect(verifyCheckpointSignature(cp, pem)).toBe(true);
    expect(verifyCheckpointSignature({ ...cp, seq: 101n })).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, hash: "cd".repeat(32) })).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, tenantId: "0b0e7d0c-1a6f-4a43-8f7d-5b3a9c2e4d12" })).toBe(
      false,
    );
    expect(verifyCheckpointSignature({ ...cp, signature: "AAAA" })).toBe(false);
    const other = generateKeyPairSync("ed25519");
    expect(verifyCheckpointSignature(cp, other.publicKey)).toBe(false);
    expect(verifyCheckpointSignature(signed(100n, other.privateKey), other.publicKey)).toBe(true);
  });

  it("the development key is derived from AUTH_SECRET: stable, and named by its public key", () => {
    const key = auditSigningKey();
    expect(key.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(key.keyId).toBe(keyIdOf(key.publicKey));
    expect(auditSigningKey()).toBe(key);
    const a = ed25519KeyFromSeed(Buffer.alloc(32, 7));
    const b = ed25519KeyFromSeed(Buffer.alloc(32, 7));
    expect(a.export({ format: "der", type: "pkcs8" })).toEqual(b.export({ format: "der", type: "pkcs8" }));
    expect(a.asymmetricKeyType).toBe("ed25519");
    expect(() => ed25519KeyFromSeed(Buffer.alloc(31))).toThrow(/32 bytes/);
  });
});

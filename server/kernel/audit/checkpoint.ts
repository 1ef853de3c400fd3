import { sign, verify, type KeyObject } from "node:crypto";
import { z } from "zod";
import type { Tx } from "@/server/db/client";
import { sqlOf, type Sql } from "@/server/db/sql";
import { lockChain } from "./chain";
import { auditSigningKey, publicKeyFrom } from "./signing-key";

/** A signed statement that a tenant's log had `hash` at `seq`. */
export type SignedCheckpoint = {
  tenantId: string;
  seq: bigint;
  hash: string;
  /** base64 Ed25519 signature of `checkpointMessage(tenantId, seq, hash)`. */
  signature: string;
  keyId: string;
  createdAt: Date;
};

/** What `exportCheckpoints` returns: plain JSON, for someone outside the database to keep. */
export type CheckpointExport = {
  format: "tenet-audit-checkpoints/v1";
  tenantId: string;
  algorithm: "Ed25519";
  /** What each signature signs; `<seq>` in decimal, `<hash>` in lowercase hex. */
  message: "tenet-audit-checkpoint:v1:<tenantId>:<seq>:<hash>";
  keyId: string;
  publicKey: string;
  checkpoints: { seq: string; hash: string; signature: string; keyId: string; createdAt: string }[];
};

export function checkpointMessage(tenantId: string, seq: bigint, hash: string): string {
  return `tenet-audit-checkpoint:v1:${tenantId}:${seq.toString()}:${hash}`;
}

/** Checks one checkpoint's signature, with the current signing key unless another is given. */
export function verifyCheckpointSignature(
  checkpoint: Pick<SignedCheckpoint, "tenantId" | "seq" | "hash" | "signature">,
  publicKey: KeyObject | string = auditSigningKey().publicKey,
): boolean {
  const signature = Buffer.from(checkpoint.signature, "base64");
  if (signature.length !== 64) return false;
  const message = Buffer.from(checkpointMessage(checkpoint.tenantId, checkpoint.seq, checkpoint.hash));
  return verify(null, message, publicKeyFrom(publicKey), signature);
}

/**
 * verifyCheckpointSignature off the main thread, on libuv's thread pool, so that a log's many
 * checkpoints are checked on every core while its entries are being read.
 */
export function checkpointSignatureVerifies(
  checkpoint: Pick<SignedCheckpoint, "tenantId" | "seq" | "hash" | "signature">,
  publicKey: KeyObject,
): Promise<boolean> {
  const signature = Buffer.from(checkpoint.signature, "base64");
  if (signature.length !== 64) return Promise.resolve(false);
  const message = Buffer.from(checkpointMessage(checkpoint.tenantId, checkpoint.seq, checkpoint.hash));
  return new Promise((resolve, reject) => {
    verify(null, message, publicKey, signature, (error, valid) => (error ? reject(error) : resolve(valid)));
  });
}

const checkpointSelect = {
  tenantId: true,
  seq: true,
  hash: true,
  signature: true,
  keyId: true,
  createdAt: true,
} as const;

/** Signs and stores a checkpoint at (seq, hash), inside the append transaction that holds the lock. */
export async function writeCheckpoint(
  sql: Sql,
  tenantId: string,
  seq: bigint,
  hash: string,
): Promise<SignedCheckpoint> {
  const key = auditSigningKey();
  const signature = sign(null, Buffer.from(checkpointMessage(tenantId, seq, hash)), key.privateKey);
  // An existing checkpoint for this seq wins (the unique key); either way the stored one is returned.
  const [row] = await sql.query<{ signature: string; keyId: string; createdMs: string; hash: string }>(
    `WITH inserted AS (
       INSERT INTO "AuditCheckpoint" (id, "tenantId", seq, hash, signature, "keyId")
       VALUES (gen_random_uuid(), $1::uuid, $2::bigint, $3, $4, $5)
       ON CONFLICT ("tenantId", seq) DO NOTHING
       RETURNING hash, signature, "keyId", "createdAt")
     SELECT hash, signature, "keyId", (extract(epoch FROM "createdAt") * 1000)::bigint::text AS "createdMs" FROM inserted
     UNION ALL
     SELECT hash, signature, "keyId", (extract(epoch FROM "createdAt") * 1000)::bigint::text FROM "AuditCheckpoint"
      WHERE "tenantId" = $1::uuid AND seq = $2::bigint AND NOT EXISTS (SELECT 1 FROM inserted)`,
    [tenantId, seq.toString(), hash, signature.toString("base64"), key.keyId],
  );
  if (!row) throw new Error("audit: writing a checkpoint returned no row");
  return {
    tenantId,
    seq,
    hash: row.hash,
    signature: row.signature,
    keyId: row.keyId,
    createdAt: new Date(Number(row.createdMs)),
  };
}

/**
 * Signs the tenant's current head now (appends also write one every AUDIT_CHECKPOINT_EVERY entries).
 * Returns the existing checkpoint when the head already has one, and null for an empty log.
 */
export async function createCheckpoint(tx: Tx, tenantId: string): Promise<SignedCheckpoint | null> {
  const sql = sqlOf(tx);
  const { head } = await lockChain(sql, tenantId);
  if (head.seq === 0n) return null;
  return writeCheckpoint(sql, tenantId, head.seq, head.hash);
}

/** The tenant's signed checkpoints with the public key that verifies them. */
export async function exportCheckpoints(tx: Tx, tenantId: string): Promise<CheckpointExport> {
  const rows = await tx.auditCheckpoint.findMany({
    where: { tenantId },
    orderBy: { seq: "asc" },
    select: checkpointSelect,
  });
  const key = auditSigningKey();
  return {
    format: "tenet-audit-checkpoints/v1",
    tenantId,
    algorithm: "Ed25519",
    message: "tenet-audit-checkpoint:v1:<tenantId>:<seq>:<hash>",
    keyId: key.keyId,
    publicKey: key.publicKeyPem,
    checkpoints: rows.map((r) => ({
      seq: r.seq.toString(),
      hash: r.hash,
      signature: r.signature,
      keyId: r.keyId,
      createdAt: r.createdAt.toISOString(),
    })),
  };
}

/** Reads checkpoints back from an export (JSON that was held outside the database). */
export const checkpointExportSchema = z.object({
  format: z.literal("tenet-audit-checkpoints/v1"),
  tenantId: z.uuid(),
  algorithm: z.literal("Ed25519"),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  publicKey: z.string().min(1),
  checkpoints: z.array(
    z.object({
      seq: z.string().regex(/^[1-9][0-9]*$/),
      hash: z.string().regex(/^[0-9a-f]{64}$/),
      signature: z.string().min(1),
      keyId: z.string().regex(/^[0-9a-f]{16}$/),
      createdAt: z.iso.datetime(),
    }),
  ),
});

export function heldCheckpoints(exported: unknown): { publicKey: string; checkpoints: SignedCheckpoint[] } {
  const parsed = checkpointExportSchema.parse(exported);
  return {
    publicKey: parsed.publicKey,
    checkpoints: parsed.checkpoints.map((c) => ({
      tenantId: parsed.tenantId,
      seq: BigInt(c.seq),
      hash: c.hash,
      signature: c.signature,
      keyId: c.keyId,
      createdAt: new Date(c.createdAt),
    })),
  };
}

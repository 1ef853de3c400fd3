/**
 * 1,000 random tamperings of a 300-entry chain, each made by the database owner with the append-only
 * trigger switched off, inside a transaction that is rolled back after verifying on that same
 * connection. Every one must be detected at exactly the sequence number where the log stops being
 * what was written.
 */
import type pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { createTestTenant, testDb, withOwner, type TestTenant } from "@/server/testing/fixtures";
import type { JsonObject } from "./canonical-json";
import { exportCheckpoints, heldCheckpoints, type SignedCheckpoint } from "./checkpoint";
import { hashEntry, type HashedEntry } from "./entry";
import { appendAudit } from "./log";
import { prng, sampleEntry } from "./sample-entries";
import { verifyChain, type TamperReason } from "./verify";

const LENGTH = 300;
const TAMPERINGS = 1_000;
const SEED = 20261121;

let acme: TestTenant;
let globex: TestTenant;
let held: SignedCheckpoint[];
let publicKey: string;
/** The chain as written, index i holding seq i + 1. */
let original: (HashedEntry & { hash: string })[];

async function readChain(db: pg.Client, tenantId: string) {
  const { rows } = await db.query<
    Omit<HashedEntry, "seq" | "detail" | "tenantId"> & { seq: string; detail: JsonObject; hash: string }
  >(
    `SELECT id::text AS id, seq::text AS seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
            "actorType"::text AS "actorType", "actorId", "actorLabel", "onBehalfOfId", "onBehalfOfLabel", action,
            "resourceType", "resourceId", "resourceLabel", outcome::text AS outcome, reasons, detail, "prevHash", hash
     FROM "AuditEntry" WHERE "tenantId" = $1 ORDER BY "AuditEntry".seq`,
    [tenantId],
  );
  return rows.map((r) => ({ ...r, tenantId, seq: BigInt(r.seq) }));
}

beforeAll(async () => {
  [acme, globex] = await Promise.all([
    createTestTenant(testDb(), "tamper"),
    createTestTenant(testDb(), "other"),
  ]);
  const random = prng(SEED);
  await withTenant(testDb(), { tenantId: acme.id }, async (tx) => {
    // Seq 1 is the tenant's "tenant.created".
    for (let i = 2; i <= LENGTH; i++) await appendAudit(tx, acme.id, sampleEntry(i, random));
  });
  // Auto checkpoints at 100, 200 and 300, exported and held "outside the database" before tampering.
  const exported = await withTenant(testDb(), { tenantId: acme.id }, (tx) => exportCheckpoints(tx, acme.id));
  ({ checkpoints: held, publicKey } = heldCheckpoints(JSON.parse(JSON.stringify(exported))));
  original = await withOwner((db) => readChain(db, acme.id));
}, 60_000);

type Tampering = {
  kind: string;
  /** Runs as the owner with triggers off. */
  apply: (db: pg.Client) => Promise<unknown>;
  seq: bigint;
  reasons: TamperReason[];
};

const CHECKPOINT_SEQS = [100n, 200n, 300n];

const FIELD_EDITS: [string, string, TamperReason][] = [
  ["actorLabel", `"actorLabel" = "actorLabel" || ' (edited)'`, "hash_mismatch"],
  ["actorId", `"actorId" = CASE WHEN "actorId" IS NULL THEN 'someone' ELSE NULL END`, "hash_mismatch"],
  [
    "actorType",
    `"actorType" = (CASE WHEN "actorType" = 'user' THEN 'agent' ELSE 'user' END)::"AuditActorType"`,
    "hash_mismatch",
  ],
  ["onBehalfOfLabel", `"onBehalfOfLabel" = coalesce("onBehalfOfLabel", '') || 'x'`, "hash_mismatch"],
  ["action", `action = action || '_x'`, "hash_mismatch"],
  [
    "resourceLabel",
    `"resourceLabel" = CASE WHEN "resourceLabel" IS NULL THEN 'forged' ELSE NULL END`,
    "hash_mismatch",
  ],
  [
    "outcome",
    `outcome = (CASE WHEN outcome = 'denied' THEN 'allowed' ELSE 'denied' END)::"AuditOutcome"`,
    "hash_mismatch",
  ],
  ["at", `at = at + interval '1 millisecond'`, "hash_mismatch"],
  ["reasons", `reasons = array_append(reasons, 'forged-policy')`, "hash_mismatch"],
  ["id", `id = gen_random_uuid()`, "hash_mismatch"],
  ["hash", `hash = md5(hash) || md5(hash)`, "hash_mismatch"],
  ["prevHash", `"prevHash" = md5("prevHash") || md5("prevHash")`, "prev_hash_mismatch"],
];

/** Hashes the chain again from `from` (index) with `entries` replacing the originals. */
function rehash(entries: (HashedEntry & { hash: string })[], from: number) {
  const out = entries.map((e) => ({ ...e }));
  for (let i = from; i < out.length; i++) {
    const e = out[i];
    if (!e) continue;
    const prev = out[i - 1];
    if (i > from && prev) e.prevHash = prev.hash;
    e.hash = hashEntry(e);
  }
  return out;
}

function tampering(n: number, random: () => number): Tampering {
  const seqAt = () => BigInt(1 + Math.floor(random() * LENGTH));
  const tenant = acme.id;
  switch (n % 7) {
    case 0: {
      const [name, set, reason] = FIELD_EDITS[Math.floor(random() * FIELD_EDITS.length)] ?? FIELD_EDITS[0]!;
      const seq = seqAt();
      return {
        kind: `edit ${name}`,
        apply: (db) =>
          db.query(`UPDATE "AuditEntry" SET ${set} WHERE "tenantId" = $1 AND seq = $2`, [tenant, seq]),
        seq,
        reasons: [reason],
      };
    }
    case 1: {
      const seq = seqAt();
      const value = Math.floor(random() * 1e9);
      return {
        kind: "edit detail",
        apply: (db) =>
          db.query(
            `UPDATE "AuditEntry" SET detail = jsonb_set(detail, '{tampered}', to_jsonb($3::int))
             WHERE "tenantId" = $1 AND seq = $2`,
            [tenant, seq, value],
          ),
        seq,
        reasons: ["hash_mismatch"],
      };
    }
    case 2: {
      const seq = seqAt();
      const moveAway = random() < 0.2;
      return {
        // Deleting the last entry is cutting the log short: only a held checkpoint can tell.
        kind: moveAway ? "move to another tenant" : "delete",
        apply: (db) =>
          moveAway
            ? db.query(`UPDATE "AuditEntry" SET "tenantId" = $3 WHERE "tenantId" = $1 AND seq = $2`, [
                tenant,
                seq,
                globex.id,
              ])
            : db.query(`DELETE FROM "AuditEntry" WHERE "tenantId" = $1 AND seq = $2`, [tenant, seq]),
        seq,
        reasons: seq === BigInt(LENGTH) ? ["truncated"] : ["seq_gap"],
      };
    }
    case 3: {
      let a = seqAt();
      let b = seqAt();
      while (b === a) b = seqAt();
      if (b < a) [a, b] = [b, a];
      return {
        kind: "swap two entries' seq",
        apply: async (db) => {
          const swap = `UPDATE "AuditEntry" SET seq = $3 WHERE "tenantId" = $1 AND seq = $2`;
          await db.query(swap, [tenant, a, 1_000_000]);
          await db.query(swap, [tenant, b, a]);
          await db.query(swap, [tenant, 1_000_000, b]);
        },
        seq: a,
        reasons: ["prev_hash_mismatch", "hash_mismatch"],
      };
    }
    case 4: {
      const seq = seqAt();
      const andCheckpoints = random() < 0.5;
      return {
        kind: andCheckpoints ? "truncate the tail and its stored checkpoints" : "truncate the tail",
        apply: async (db) => {
          await db.query(`DELETE FROM "AuditEntry" WHERE "tenantId" = $1 AND seq >= $2`, [tenant, seq]);
          if (andCheckpoints)
            await db.query(`DELETE FROM "AuditCheckpoint" WHERE "tenantId" = $1 AND seq >= $2`, [
              tenant,
              seq,
            ]);
        },
        seq,
        reasons: ["truncated"],
      };
    }
    case 5: {
      // Edit one entry and fix its own hash: the next entry no longer links to it (or, at a
      // checkpoint, the checkpoint no longer matches).
      const seq = seqAt();
      const i = Number(seq) - 1;
      const edited = rehash(
        original.map((e, k) => (k === i ? { ...e, actorLabel: `${e.actorLabel} (rewritten)` } : e)),
        i,
      )[i];
      const isCheckpoint = CHECKPOINT_SEQS.includes(seq);
      return {
        kind: "edit and re-hash one entry",
        apply: (db) =>
          db.query(
            `UPDATE "AuditEntry" SET "actorLabel" = $3, hash = $4 WHERE "tenantId" = $1 AND seq = $2`,
            [tenant, seq, edited?.actorLabel, edited?.hash],
          ),
        seq: isCheckpoint ? seq : seq + 1n,
        reasons: isCheckpoint ? ["checkpoint_mismatch"] : ["prev_hash_mismatch"],
      };
    }
    default: {
      // Rewrite history from one entry on, re-hash everything after it and drop the stored
      // checkpoints it contradicts: a consistent forged chain that only held checkpoints expose.
      const seq = seqAt();
      const i = Number(seq) - 1;
      const forged = rehash(
        original.map((e, k) =>
          k === i ? { ...e, detail: { ...(e.detail as JsonObject), forged: true } } : e,
        ),
        i,
      ).slice(i);
      const first = forged[0];
      const caughtAt = CHECKPOINT_SEQS.find((c) => c >= seq) ?? 0n;
      return {
        kind: "rewrite and re-hash the tail",
        apply: async (db) => {
          await db.query(`UPDATE "AuditEntry" SET detail = $3::jsonb WHERE "tenantId" = $1 AND seq = $2`, [
            tenant,
            seq,
            JSON.stringify(first?.detail),
          ]);
          await db.query(
            `UPDATE "AuditEntry" AS e SET "prevHash" = v.prev, hash = v.hash
             FROM unnest($2::bigint[], $3::text[], $4::text[]) AS v(seq, prev, hash)
             WHERE e."tenantId" = $1 AND e.seq = v.seq`,
            [
              tenant,
              forged.map((e) => e.seq.toString()),
              forged.map((e) => e.prevHash),
              forged.map((e) => e.hash),
            ],
          );
          await db.query(`DELETE FROM "AuditCheckpoint" WHERE "tenantId" = $1 AND seq >= $2`, [tenant, seq]);
        },
        seq: caughtAt,
        reasons: ["checkpoint_mismatch"],
      };
    }
  }
}

describe("tamper evidence", () => {
  it("the untouched chain verifies, from the start and from a held checkpoint", async () => {
    await withOwner(async (db) => {
      expect(await verifyChain(db, acme.id, { checkpoints: held, publicKeys: [publicKey] })).toMatchObject({
        ok: true,
        checked: LENGTH,
        checkpoints: 6,
        head: { seq: BigInt(LENGTH) },
      });
      expect(await verifyChain(db, acme.id, { from: held[1], checkpoints: held })).toMatchObject({
        ok: true,
        checked: LENGTH - 199,
      });
    });
  });

  it(`detects ${TAMPERINGS} random tamperings, each at the exact sequence number`, async () => {
    const random = prng(SEED);
    const missed: string[] = [];
    const kinds = new Map<string, number>();
    await withOwner(async (db) => {
      for (let n = 0; n < TAMPERINGS; n++) {
        const t = tampering(n, random);
        kinds.set(t.kind, (kinds.get(t.kind) ?? 0) + 1);
        await db.query("BEGIN");
        try {
          await db.query("SET LOCAL session_replication_role = replica");
          await t.apply(db);
          await db.query("SET LOCAL session_replication_role = origin");
          const result = await verifyChain(db, acme.id, { checkpoints: held, publicKeys: [publicKey] });
          const bad = result.firstBad;
          if (result.ok || bad?.seq !== t.seq || !t.reasons.includes(bad.reason)) {
            missed.push(
              `#${n} ${t.kind}: expected ${t.seq} (${t.reasons.join("|")}), got ${bad ? `${bad.seq} (${bad.reason})` : "ok"}`,
            );
          }
        } finally {
          await db.query("ROLLBACK");
        }
      }
      // Every tampering was rolled back.
      expect(await verifyChain(db, acme.id, { checkpoints: held })).toMatchObject({
        ok: true,
        checked: LENGTH,
      });
    });
    expect(missed, `seed ${SEED}`).toEqual([]);
    expect(kinds.size).toBeGreaterThanOrEqual(8);
  }, 120_000);

  it("reports a NOT NULL column emptied behind a dropped constraint as a changed entry", async () => {
    await withOwner(async (db) => {
      await db.query("BEGIN");
      try {
        await db.query(`ALTER TABLE "AuditEntry" ALTER COLUMN "actorLabel" DROP NOT NULL`);
        await db.query("SET LOCAL session_replication_role = replica");
        await db.query(`UPDATE "AuditEntry" SET "actorLabel" = NULL WHERE "tenantId" = $1 AND seq = 42`, [
          acme.id,
        ]);
        expect((await verifyChain(db, acme.id)).firstBad).toMatchObject({
          seq: 42n,
          reason: "hash_mismatch",
        });
      } finally {
        await db.query("ROLLBACK");
      }
    });
  });

  it("detects a forged or foreign checkpoint signature", async () => {
    const [first] = held;
    if (!first) throw new Error("no held checkpoint");
    const forged = { ...first, hash: "f".repeat(64) };
    const foreign = { ...first, tenantId: globex.id };
    await withOwner(async (db) => {
      const result = await verifyChain(db, acme.id, { checkpoints: [forged] });
      expect(result.firstBad).toMatchObject({ seq: first.seq, reason: "bad_signature" });
      expect((await verifyChain(db, acme.id, { checkpoints: [foreign] })).firstBad?.reason).toBe(
        "bad_signature",
      );
      expect((await verifyChain(db, acme.id, { from: forged })).firstBad?.reason).toBe("bad_signature");
      // A stored checkpoint whose signature was altered.
      await db.query("BEGIN");
      try {
        await db.query("SET LOCAL session_replication_role = replica");
        await db.query(`UPDATE "AuditCheckpoint" SET signature = $3 WHERE "tenantId" = $1 AND seq = $2`, [
          acme.id,
          200,
          first.signature,
        ]);
        expect((await verifyChain(db, acme.id)).firstBad).toMatchObject({
          seq: 200n,
          reason: "bad_signature",
        });
      } finally {
        await db.query("ROLLBACK");
      }
    });
  });
});

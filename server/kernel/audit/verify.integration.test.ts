/**
 * verifyChain reads a log in batches and checks each batch as a segment on its own (on worker threads
 * or on this one): the first problem must still be named exactly when it sits at the edge of a
 * segment, or when segments fail in a different order than they come in the chain.
 */
import type pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { createTestTenant, testDb, withOwner, type TestTenant } from "@/server/testing/fixtures";
import { createCheckpoint, exportCheckpoints, heldCheckpoints, type SignedCheckpoint } from "./checkpoint";
import { hashEntry, type HashedEntry } from "./entry";
import { appendAudit } from "./log";
import { prng, sampleEntry } from "./sample-entries";
import { verifyChain, type VerifyOptions, type VerifyResult } from "./verify";

const LENGTH = 60;
/** Segments of ten: entries 1–10, 11–20, … */
const BATCH = 10;
/** Signed on demand: at the end of a segment, in the middle of one, at the head. */
const CHECKPOINTS = [20, 25, 60];

let acme: TestTenant;
let held: SignedCheckpoint[];

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "segments");
  const random = prng(7);
  await withTenant(testDb(), { tenantId: acme.id }, async (tx) => {
    for (let i = 2; i <= LENGTH; i++) {
      await appendAudit(tx, acme.id, sampleEntry(i, random));
      if (CHECKPOINTS.includes(i)) await createCheckpoint(tx, acme.id);
    }
  });
  const exported = await withTenant(testDb(), { tenantId: acme.id }, (tx) => exportCheckpoints(tx, acme.id));
  ({ checkpoints: held } = heldCheckpoints(JSON.parse(JSON.stringify(exported))));
}, 60_000);

/** Applies `tamper` as the owner with the append-only trigger off, verifies, and rolls it all back. */
async function verifyTampered(
  tamper: (db: pg.Client) => Promise<unknown>,
  options: VerifyOptions = {},
): Promise<{ onWorkers: VerifyResult; here: VerifyResult }> {
  return withOwner(async (db) => {
    await db.query("BEGIN");
    try {
      await db.query("SET LOCAL session_replication_role = replica");
      await tamper(db);
      await db.query("SET LOCAL session_replication_role = origin");
      const onWorkers = await verifyChain(db, acme.id, { batchSize: BATCH, workers: 2, ...options });
      const here = await verifyChain(db, acme.id, { batchSize: BATCH, workers: 0, ...options });
      return { onWorkers, here };
    } finally {
      await db.query("ROLLBACK");
    }
  });
}

/** One entry's hashed fields as stored. */
async function readEntry(db: pg.Client, seq: number): Promise<HashedEntry> {
  const { rows } = await db.query<Omit<HashedEntry, "seq" | "tenantId"> & { seq: string }>(
    `SELECT id::text AS id, seq::text AS seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
            "actorType"::text AS "actorType", "actorId", "actorLabel", "onBehalfOfId", "onBehalfOfLabel", action,
            "resourceType", "resourceId", "resourceLabel", outcome::text AS outcome, reasons, detail, "prevHash"
     FROM "AuditEntry" WHERE "tenantId" = $1 AND seq = $2`,
    [acme.id, seq],
  );
  const [row] = rows;
  if (!row) throw new Error(`no entry ${seq}`);
  return { ...row, tenantId: acme.id, seq: BigInt(row.seq) };
}

const editLabel = (seq: number) => (db: pg.Client) =>
  db.query(`UPDATE "AuditEntry" SET "actorLabel" = "actorLabel" || '!' WHERE "tenantId" = $1 AND seq = $2`, [
    acme.id,
    seq,
  ]);

describe("verifyChain in segments", () => {
  it("verifies the untouched chain the same on workers and on this thread, in any batch size", async () => {
    const results = await withOwner((db) =>
      Promise.all(
        [1, 7, 10, 59, 60, 61, 5_000].flatMap((batchSize) =>
          [0, 1, 2].map((workers) => verifyChain(db, acme.id, { batchSize, workers, checkpoints: held })),
        ),
      ),
    );
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0]).toMatchObject({ ok: true, checked: LENGTH, head: { seq: BigInt(LENGTH) } });
  });

  it("names an edited entry at either edge of a segment", async () => {
    for (const seq of [1, 10, 11, 20, 21, 60]) {
      const { onWorkers, here } = await verifyTampered(editLabel(seq), { storedCheckpoints: false });
      expect(onWorkers.firstBad, `entry ${seq}`).toMatchObject({ seq: BigInt(seq), reason: "hash_mismatch" });
      expect(onWorkers).toEqual(here);
      expect(here.checked).toBe(seq - 1);
    }
  });

  it("names a broken link between two segments, and a rewritten entry at a segment's end", async () => {
    // Entry 30, the last of its segment, is edited and its own hash fixed: it verifies, but entry 31, the
    // first of the next segment, no longer follows it.
    const rewrite = async (seq: number) => {
      const entry = await withOwner((db) => readEntry(db, seq));
      const rewritten = { ...entry, actorLabel: "rewritten" };
      const hash = hashEntry(rewritten);
      return {
        hash,
        tamper: (db: pg.Client) =>
          db.query(
            `UPDATE "AuditEntry" SET "actorLabel" = $3, hash = $4 WHERE "tenantId" = $1 AND seq = $2`,
            [acme.id, seq, rewritten.actorLabel, hash],
          ),
      };
    };
    const thirty = await rewrite(30);
    const link = await verifyTampered(thirty.tamper);
    expect(link.onWorkers.firstBad).toMatchObject({ seq: 31n, reason: "prev_hash_mismatch" });
    expect(link.onWorkers).toEqual(link.here);
    expect(link.here).toMatchObject({ checked: 30, head: { seq: 30n, hash: thirty.hash } });
    // Entry 20 carries a signed checkpoint, which no longer matches.
    const twenty = await rewrite(20);
    const signed = await verifyTampered(twenty.tamper);
    expect(signed.onWorkers.firstBad).toMatchObject({ seq: 20n, reason: "checkpoint_mismatch" });
    expect(signed.onWorkers).toEqual(signed.here);
  });

  it("names a gap at the start of a segment and at the end of one", async () => {
    for (const seq of [11, 20]) {
      const { onWorkers, here } = await verifyTampered((db) =>
        db.query(`DELETE FROM "AuditEntry" WHERE "tenantId" = $1 AND seq = $2`, [acme.id, seq]),
      );
      expect(onWorkers.firstBad, `entry ${seq}`).toMatchObject({ seq: BigInt(seq), reason: "seq_gap" });
      expect(onWorkers).toEqual(here);
    }
  });

  it("names the earliest problem when a later segment fails first", async () => {
    // The later problems sit in the first rows of their segments, the earliest in the last row of its own.
    const { onWorkers, here } = await verifyTampered(async (db) => {
      for (const seq of [51, 41, 31, 19]) await editLabel(seq)(db);
    });
    expect(onWorkers.firstBad).toMatchObject({ seq: 19n, reason: "hash_mismatch" });
    expect(onWorkers).toEqual(here);
  });

  it("starts from a checkpoint in the middle of a segment", async () => {
    const from = held.find((c) => c.seq === 25n);
    if (!from) throw new Error("no checkpoint at 25");
    const results = await withOwner((db) =>
      Promise.all(
        [0, 2].map((workers) => verifyChain(db, acme.id, { from, checkpoints: held, batchSize: 7, workers })),
      ),
    );
    for (const r of results) expect(r).toMatchObject({ ok: true, checked: LENGTH - 24, checkpoints: 5 });
    const { onWorkers, here } = await verifyTampered(editLabel(26), { from, batchSize: 7 });
    expect(onWorkers.firstBad).toMatchObject({ seq: 26n, reason: "hash_mismatch" });
    expect(onWorkers).toEqual(here);
  });
});

describe("verifyChain on what PostgreSQL writes", () => {
  it("verifies entries whose text and detail need escaping, odd numbers and keys included", async () => {
    const t = await createTestTenant(testDb(), "awkward");
    const labels = [
      'a "quoted" label',
      "back\\slash",
      "line\nbreak\ttab\u0001",
      "emoji 😀 𝄞 and “curly”",
      "\u2028\u2029\u007f",
      '", null, "',
      "]",
    ];
    await withTenant(testDb(), { tenantId: t.id }, async (tx) => {
      for (const [i, label] of labels.entries()) {
        await appendAudit(tx, t.id, {
          actor: { type: "user", id: label, label },
          onBehalfOf: { id: null, label },
          action: "thing.happened",
          resource: { type: "thing", id: label, label },
          outcome: "recorded",
          reasons: [label, "plain"],
          detail: {
            label,
            [label]: i,
            numbers: [1e21, 1.5e-7, 0.1, -0, 123456789012345680000, 2 ** 53 + 2, -1.25, 1e-7, 5e-324],
            "10": "ten",
            "2": "two",
            é: { Z: null, a: [true, false, {}], "😀": [] },
            "": "empty key",
          },
        });
      }
    });
    const results = await withOwner((db) =>
      Promise.all([0, 2].map((workers) => verifyChain(db, t.id, { workers, batchSize: 3 }))),
    );
    for (const r of results) expect(r).toMatchObject({ ok: true, checked: labels.length + 1 });
  });
});

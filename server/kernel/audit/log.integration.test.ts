import { beforeAll, describe, expect, inject, it } from "vitest";
import { createPrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { createTestTenant, testDb, withOwner, type TestTenant } from "@/server/testing/fixtures";
import {
  createCheckpoint,
  exportCheckpoints,
  heldCheckpoints,
  verifyCheckpointSignature,
} from "./checkpoint";
import { GENESIS_HASH } from "./entry";
import { appendAudit, appendAuditBatch } from "./log";
import { prng, sampleEntry } from "./sample-entries";
import { verifyChain } from "./verify";

let acme: TestTenant;
let globex: TestTenant;

beforeAll(async () => {
  [acme, globex] = await Promise.all([
    createTestTenant(testDb(), "acme"),
    createTestTenant(testDb(), "globex"),
  ]);
});

const inTenant = <T>(t: TestTenant, fn: Parameters<typeof withTenant<T>>[2]) =>
  withTenant(testDb(), { tenantId: t.id }, fn);

describe("appendAudit", () => {
  it("chains each tenant's entries from the genesis hash, gapless, with secrets redacted", async () => {
    const t = await createTestTenant(testDb(), "chain");
    const [first] = await inTenant(t, (tx) =>
      tx.auditEntry.findMany({ where: { tenantId: t.id }, orderBy: { seq: "asc" } }),
    );
    expect(first).toMatchObject({ seq: 1n, action: "tenant.created", prevHash: GENESIS_HASH });

    const appended = await inTenant(t, async (tx) => {
      const a = await appendAudit(tx, t.id, {
        actor: { type: "agent", id: "agent-1", label: "Onboarding helper" },
        onBehalfOf: { id: t.owner.userId, label: "chain owner" },
        action: "syscall.decided",
        outcome: "approval_required",
        reasons: ["it-access-01"],
        detail: {
          request: "grant Figma to Bob",
          connector: { apiKey: "sk-live-123", headers: { Authorization: "Bearer x" } },
        },
      });
      const b = await appendAudit(tx, t.id, {
        actor: { type: "system", label: "Tenet" },
        action: "tool.called",
        outcome: "recorded",
      });
      return [a, b];
    });
    expect(appended.map((e) => e.seq)).toEqual([2n, 3n]);
    expect(appended[0]?.prevHash).toBe(first?.hash);
    expect(appended[1]?.prevHash).toBe(appended[0]?.hash);

    const stored = await withOwner(
      async (db) =>
        (
          await db.query<{ detail: string }>(
            `SELECT detail::text AS detail FROM "AuditEntry" WHERE "tenantId" = $1 AND seq = 2`,
            [t.id],
          )
        ).rows[0]?.detail,
    );
    expect(stored).not.toMatch(/sk-live|Bearer/);
    expect(stored).toContain("[redacted]");
    expect(await inTenant(t, (tx) => verifyChain(tx, t.id))).toMatchObject({
      ok: true,
      checked: 3,
      head: { seq: 3n },
    });
  });

  it("is not written when the transaction that recorded it rolls back", async () => {
    const t = await createTestTenant(testDb(), "rollback");
    await expect(
      inTenant(t, async (tx) => {
        await appendAudit(tx, t.id, sampleEntry(1, prng(1)));
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    const next = await inTenant(t, (tx) => appendAudit(tx, t.id, sampleEntry(2, prng(2))));
    expect(next.seq).toBe(2n);
  });

  it("24 connections appending at once produce one gapless chain", async () => {
    const t = await createTestTenant(testDb(), "concurrent");
    const db = createPrismaClient(inject("appUrl"), { max: 24 });
    try {
      const random = prng(24);
      const perWorker = 8;
      const workers = Array.from({ length: 24 }, (_, w) =>
        (async () => {
          const seqs: bigint[] = [];
          for (let i = 0; i < perWorker; i++) {
            const entry = await withTenant(db, { tenantId: t.id }, (tx) =>
              appendAudit(tx, t.id, sampleEntry(w * perWorker + i, random)),
            );
            seqs.push(entry.seq);
          }
          return seqs;
        })(),
      );
      const seqs = (await Promise.all(workers)).flat().sort((a, b) => (a < b ? -1 : 1));
      const expected = Array.from({ length: 24 * perWorker }, (_, i) => BigInt(i + 2));
      expect(seqs).toEqual(expected);
      const result = await withTenant(db, { tenantId: t.id }, (tx) => verifyChain(tx, t.id));
      expect(result).toMatchObject({ ok: true, checked: 24 * perWorker + 1 });
      // 193 entries: the checkpoint at 100 was written by whichever append reached it.
      expect(result.checkpoints).toBe(1);
    } finally {
      await db.$disconnect();
    }
  });
});

describe("appendAuditBatch", () => {
  it("chains a batch in order with one lock, interleaved with single appends, checkpoints included", async () => {
    const t = await createTestTenant(testDb(), "batch");
    const random = prng(7);
    // The tenant starts with one entry; 3 + 120 + 1 crosses the checkpoint at 100 inside a batch.
    const first = await inTenant(t, (tx) =>
      appendAuditBatch(
        sqlOf(tx),
        t.id,
        [1, 2, 3].map((i) => sampleEntry(i, random)),
      ),
    );
    expect(first.map((r) => r.seq)).toEqual([2n, 3n, 4n]);
    expect(first[1]?.prevHash).toBe(first[0]?.hash);
    const big = await inTenant(t, (tx) =>
      appendAuditBatch(
        sqlOf(tx),
        t.id,
        Array.from({ length: 120 }, (_, i) => sampleEntry(i, random)),
      ),
    );
    expect(big.at(-1)?.seq).toBe(124n);
    const single = await inTenant(t, (tx) => appendAudit(tx, t.id, sampleEntry(0, random)));
    expect(single).toMatchObject({ seq: 125n, prevHash: big.at(-1)?.hash });
    expect(await inTenant(t, (tx) => appendAuditBatch(sqlOf(tx), t.id, []))).toEqual([]);
    const result = await inTenant(t, (tx) => verifyChain(tx, t.id));
    expect(result).toMatchObject({ ok: true, checked: 125, checkpoints: 1 });
  });
});

describe("checkpoints", () => {
  it("are written every AUDIT_CHECKPOINT_EVERY (100) entries and on demand, and exported with the public key", async () => {
    const t = await createTestTenant(testDb(), "checkpoints");
    const random = prng(7);
    await inTenant(t, async (tx) => {
      for (let i = 0; i < 104; i++) await appendAudit(tx, t.id, sampleEntry(i, random));
    });
    const onDemand = await inTenant(t, (tx) => createCheckpoint(tx, t.id));
    expect(onDemand?.seq).toBe(105n);
    expect((await inTenant(t, (tx) => createCheckpoint(tx, t.id)))?.signature).toBe(onDemand?.signature);

    const exported = await inTenant(t, (tx) => exportCheckpoints(tx, t.id));
    expect(exported.checkpoints.map((c) => c.seq)).toEqual(["100", "105"]);
    // What an outsider does with the export: JSON round trip, then check with the PEM alone.
    const held = heldCheckpoints(JSON.parse(JSON.stringify(exported)));
    for (const cp of held.checkpoints) expect(verifyCheckpointSignature(cp, held.publicKey)).toBe(true);

    const full = await inTenant(t, (tx) =>
      verifyChain(tx, t.id, { checkpoints: held.checkpoints, publicKeys: [held.publicKey] }),
    );
    expect(full).toMatchObject({ ok: true, checked: 105, checkpoints: 4 });
    const fromCheckpoint = await withOwner((db) => verifyChain(db, t.id, { from: held.checkpoints[0] }));
    expect(fromCheckpoint).toMatchObject({ ok: true, checked: 6, head: { seq: 105n, hash: onDemand?.hash } });
  });

  it("an empty log has nothing to sign", async () => {
    await withOwner(async (db) => {
      // A tenant created behind the domain functions' back has no "tenant.created" entry.
      const id = crypto.randomUUID();
      await db.query(`INSERT INTO "Tenant" (id, slug, name) VALUES ($1, $2, 'Empty')`, [
        id,
        `empty-${id.slice(0, 8)}`,
      ]);
      const result = await withTenant(testDb(), { tenantId: id }, (tx) => createCheckpoint(tx, id));
      expect(result).toBeNull();
      expect(await verifyChain(db, id)).toEqual({
        ok: true,
        checked: 0,
        checkpoints: 0,
        head: { seq: 0n, hash: GENESIS_HASH },
      });
    });
  });
});

describe("verifyChain", () => {
  it("reads the same through Prisma and pg, in batches of any size", async () => {
    const t = await createTestTenant(testDb(), "batches");
    const random = prng(3);
    await inTenant(t, async (tx) => {
      for (let i = 0; i < 30; i++) await appendAudit(tx, t.id, sampleEntry(i, random));
    });
    const viaPrisma = await inTenant(t, (tx) => verifyChain(tx, t.id, { batchSize: 7 }));
    const viaPg = await withOwner((db) => verifyChain(db, t.id, { batchSize: 31 }));
    expect(viaPrisma).toMatchObject({ ok: true, checked: 31 });
    expect(viaPg).toEqual(viaPrisma);
  });
});

describe("append-only", () => {
  it("the app role may not UPDATE or DELETE entries or checkpoints", async () => {
    for (const table of ["AuditEntry", "AuditCheckpoint"]) {
      await expect(
        inTenant(acme, (tx) =>
          tx.$executeRawUnsafe(`UPDATE "${table}" SET seq = seq WHERE "tenantId" = $1::uuid`, acme.id),
        ),
      ).rejects.toThrow(/permission denied/);
      await expect(
        inTenant(acme, (tx) =>
          tx.$executeRawUnsafe(`DELETE FROM "${table}" WHERE "tenantId" = $1::uuid`, acme.id),
        ),
      ).rejects.toThrow(/permission denied/);
      await expect(inTenant(acme, (tx) => tx.$executeRawUnsafe(`TRUNCATE "${table}"`))).rejects.toThrow(
        /permission denied/,
      );
    }
    await expect(
      inTenant(acme, (tx) => tx.auditEntry.deleteMany({ where: { tenantId: acme.id } })),
    ).rejects.toThrow(/permission denied|denied/);
  });

  it("the trigger refuses UPDATE, DELETE and TRUNCATE to the owner too", async () => {
    await withOwner(async (db) => {
      for (const table of ["AuditEntry", "AuditCheckpoint"]) {
        for (const sql of [
          `UPDATE "${table}" SET seq = seq WHERE "tenantId" = $1`,
          `DELETE FROM "${table}" WHERE "tenantId" = $1`,
          // Refused even when no row matches: the trigger is per statement.
          `DELETE FROM "${table}" WHERE "tenantId" = $1 AND false`,
        ]) {
          await expect(db.query(sql, [acme.id]), sql).rejects.toThrow(/append-only/);
        }
        // Rolled back whatever happens, so a missing trigger cannot empty the shared test database.
        await db.query("BEGIN");
        try {
          await expect(db.query(`TRUNCATE "${table}"`)).rejects.toThrow(/append-only: TRUNCATE/);
        } finally {
          await db.query("ROLLBACK");
        }
      }
      const count = await db.query(`SELECT count(*)::int AS n FROM "AuditEntry" WHERE "tenantId" = $1`, [
        acme.id,
      ]);
      expect(count.rows[0]).toEqual({ n: 1 });
    });
  });
});

describe("tenant isolation", () => {
  it("a transaction of tenant A can neither read nor append to tenant B's chain", async () => {
    await expect(inTenant(acme, (tx) => appendAudit(tx, globex.id, sampleEntry(1, prng(1))))).rejects.toThrow(
      /same tenant/,
    );
    await expect(
      inTenant(acme, (tx) =>
        tx.auditEntry.create({
          data: {
            id: crypto.randomUUID(),
            tenantId: globex.id,
            seq: 999n,
            at: new Date(),
            actorType: "system",
            actorLabel: "forger",
            action: "x.forged",
            outcome: "recorded",
            reasons: [],
            detail: {},
            prevHash: GENESIS_HASH,
            hash: GENESIS_HASH,
          },
        }),
      ),
    ).rejects.toThrow(/row-level security/);
    const seen = await inTenant(acme, async (tx) => ({
      entries: await tx.auditEntry.findMany({ where: { tenantId: globex.id } }),
      checkpoints: await tx.auditCheckpoint.findMany({ where: { tenantId: globex.id } }),
      all: await tx.auditEntry.findMany(),
      verified: await verifyChain(tx, globex.id),
    }));
    expect(seen.entries).toEqual([]);
    expect(seen.checkpoints).toEqual([]);
    expect(new Set(seen.all.map((e) => e.tenantId))).toEqual(new Set([acme.id]));
    expect(seen.verified.checked).toBe(0);
    // Globex's own chain is untouched.
    expect(await inTenant(globex, (tx) => verifyChain(tx, globex.id))).toMatchObject({
      ok: true,
      checked: 1,
    });
  });

  it("outside withTenant the app role sees no entries at all", async () => {
    expect(await testDb().auditEntry.count()).toBe(0);
    expect(await testDb().auditCheckpoint.count()).toBe(0);
  });
});

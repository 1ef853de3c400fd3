import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import { databaseUrl, dropDatabase, ensureDatabase } from "./embedded";
import { MIGRATIONS_DIR, migrate, readMigrations } from "./migrate";
import { withOwner } from "@/server/testing/fixtures";

const run = promisify(execFile);
const serverUrl = () => inject("serverUrl");
const created: string[] = [];

async function freshDatabase(): Promise<string> {
  const name = `tenet_mig_${randomBytes(4).toString("hex")}`;
  await ensureDatabase(serverUrl(), name);
  created.push(name);
  return databaseUrl(serverUrl(), name);
}

afterAll(async () => {
  for (const name of created) await dropDatabase(serverUrl(), name);
});

/** Tables, columns, indexes and foreign keys of the public schema, in a comparable form. */
async function catalog(url: string) {
  return withOwner(async (db) => {
    const q = async (sql: string) => (await db.query<Record<string, unknown>>(sql)).rows;
    return {
      tables: await q(`SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1`),
      columns: await q(`SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
          character_maximum_length, numeric_precision, datetime_precision
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1, 2`),
      indexes: await q(`SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1, 2`),
      foreignKeys:
        await q(`SELECT conrelid::regclass::text AS table, conname, pg_get_constraintdef(oid) AS def
        FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1, 2`),
      enums: await q(
        `SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
          WHERE t.typnamespace = 'public'::regnamespace ORDER BY 1, e.enumsortorder`,
      ),
    };
  }, url);
}

describe("migrations", () => {
  it("describe the same tables, columns, indexes and foreign keys as schema.prisma", async () => {
    const migrated = await freshDatabase();
    await migrate(migrated);

    const fromSchema = await freshDatabase();
    // Prisma's JavaScript schema engine connects to DATABASE_URL even for a datamodel diff.
    const { stdout } = await run(
      "npx",
      [
        "prisma",
        "migrate",
        "diff",
        "--from-empty",
        "--to-schema-datamodel",
        "prisma/schema.prisma",
        "--script",
      ],
      { env: { ...process.env, DATABASE_URL: fromSchema }, maxBuffer: 10_000_000 },
    );
    await withOwner((db) => db.query(stdout), fromSchema);

    const [a, b] = await Promise.all([catalog(migrated), catalog(fromSchema)]);
    expect(a.tables.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });

  it("are applied once, in order, even by concurrent runners, and recorded in Prisma's format", async () => {
    const url = await freshDatabase();
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    const names = results.flat();
    const expected = (await readMigrations()).map((m) => m.name);
    expect(names.sort()).toEqual(expected);
    expect(await migrate(url)).toEqual([]);
    const rows = await withOwner(
      async (db) =>
        (
          await db.query<{
            migration_name: string;
            checksum: string;
            finished_at: Date | null;
            applied_steps_count: number;
          }>(
            `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY started_at`,
          )
        ).rows,
      url,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(expected);
    for (const row of rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("refuses a migration edited after it was applied, and rolls back a failing one", async () => {
    const url = await freshDatabase();
    const dir = await mkdtemp(path.join(os.tmpdir(), "tenet-migrations-"));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      await migrate(url, { dir });
      const [first] = (await readMigrations(dir)).map((m) => m.name);
      await writeFile(path.join(dir, String(first), "migration.sql"), "-- edited\nSELECT 1;");
      await expect(migrate(url, { dir })).rejects.toThrow(/changed after it was applied/);

      await cp(MIGRATIONS_DIR, dir, { recursive: true, force: true });
      const broken = path.join(dir, "29990101000000_broken");
      await cp(path.join(MIGRATIONS_DIR, String(first)), broken, { recursive: true });
      await writeFile(
        path.join(broken, "migration.sql"),
        'CREATE TABLE "HalfDone" (id int);\nSELECT * FROM "NoSuchTable";',
      );
      await expect(migrate(url, { dir })).rejects.toThrow(/29990101000000_broken failed/);
      const leftovers = await withOwner(
        async (db) =>
          (await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'HalfDone'")).rowCount,
        url,
      );
      expect(leftovers).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

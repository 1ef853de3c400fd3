/**
 * `npm run db:new-migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with the
 * SQL that takes the schema at the last migration with a schema.prisma.snapshot to prisma/schema.prisma,
 * and snapshots the current schema beside it. Add row-level security policies and grants for new
 * tenant-owned tables by hand in the same file (docs/database.md); the catalog test checks them.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { MIGRATIONS_DIR, readMigrations } from "@/server/db/migrate";
import { openLocalDatabase } from "./local-database";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:new-migration -- <name>   (lowercase letters, digits and underscores)");
  process.exit(2);
}

// Hand-written migrations outside schema.prisma (schemas `engine` and `kernel`) have no snapshot: the
// datamodel is as the last migration that has one left it.
const snapshots = (await readMigrations())
  .map((m) => path.join(MIGRATIONS_DIR, m.name, "schema.prisma.snapshot"))
  .filter((file) => existsSync(file));
const last = snapshots.at(-1);
const from = last ? ["--from-schema-datamodel", last] : ["--from-empty"];

// Prisma's JavaScript schema engine connects to a database even to diff two datamodels.
const database = await openLocalDatabase(() => {});
try {
  const { stdout } = await promisify(execFile)(
    "npx",
    ["prisma", "migrate", "diff", ...from, "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
    { env: { ...process.env, DATABASE_URL: database.ownerUrl } },
  );
  const sql = stdout.replace(/^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/m, "");
  if (!/^\s*(CREATE|ALTER|DROP)/m.test(sql)) {
    console.log("schema.prisma matches the last migration: nothing to write.");
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
    await mkdir(dir);
    await writeFile(path.join(dir, "migration.sql"), sql);
    await copyFile("prisma/schema.prisma", path.join(dir, "schema.prisma.snapshot"));
    console.log(
      `wrote ${path.relative(process.cwd(), dir)}/migration.sql — add RLS policies and grants for new tenant-owned tables.`,
    );
  }
} finally {
  await database.stop();
}

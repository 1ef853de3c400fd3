import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { APP_ROLE } from "./client";

/**
 * Applies prisma/migrations in order, each in its own transaction, under an advisory lock so that two
 * processes starting at once do not race. Applied migrations are recorded in Prisma's own
 * `_prisma_migrations` table and format (sha256 checksum of migration.sql), so `prisma migrate deploy`
 * on a machine with Prisma's binary engines agrees with this runner.
 *
 * We run our own because Prisma 6.19's JavaScript schema engine cannot deploy migrations here
 * (prisma/orm#27403); see docs/database.md.
 */
export const MIGRATIONS_DIR = path.join(process.cwd(), "prisma", "migrations");

// Arbitrary constant; pg_advisory_lock takes a bigint.
const LOCK_KEY = 726_174_001;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export type Migration = { name: string; sql: string; checksum: string };

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

export type MigrateOptions = {
  dir?: string;
  /** Sets the app role's password after migrating (roles are cluster-wide, not part of a migration). */
  appRolePassword?: string;
  log?: (line: string) => void;
};

/** Applies pending migrations to the database at `ownerUrl`; returns the names it applied. */
export async function migrate(ownerUrl: string, options: MigrateOptions = {}): Promise<string[]> {
  const log = options.log ?? (() => {});
  const migrations = await readMigrations(options.dir);
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
    }>(`SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`);
    const done = new Map(rows.map((r) => [r.migration_name, r]));
    for (const m of migrations) {
      const previous = done.get(m.name);
      if (previous) {
        if (!previous.finished_at) throw new Error(`Migration ${m.name} started earlier but never finished`);
        if (previous.checksum !== m.checksum) {
          throw new Error(`Migration ${m.name} was changed after it was applied (checksum mismatch)`);
        }
        continue;
      }
      const startedAt = new Date();
      try {
        await client.query("BEGIN");
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, $4, 1)`,
          [randomUUID(), m.checksum, m.name, startedAt],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(
          `Migration ${m.name} failed: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
          },
        );
      }
      applied.push(m.name);
      log(`applied ${m.name}`);
    }
    if (options.appRolePassword) {
      await client.query(`ALTER ROLE ${APP_ROLE} PASSWORD ${client.escapeLiteral(options.appRolePassword)}`);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => {});
    await client.end();
  }
  return applied;
}

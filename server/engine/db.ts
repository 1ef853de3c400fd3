/**
 * The engine's connection to PostgreSQL: plain `pg`, because its queries (SKIP LOCKED claims, advisory
 * locks, array appends) are the engine's hot path and do not fit an ORM. Tables live in schema `engine`
 * (migration 20261121140000_workflow_engine).
 */
import pg from "pg";

export type Db = pg.Pool;
export type Conn = pg.PoolClient;

// JSON columns come back parsed; bigint counts as numbers (they are small).
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function createDb(connectionString: string, max: number): Db {
  return new pg.Pool({ connectionString, max, application_name: "tenet-engine" });
}

// Deadlocks and serialization failures are transient: the transaction is retried as a whole.
const RETRYABLE = new Set(["40P01", "40001"]);

function sqlState(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

/** Runs `fn` in a transaction, retried a few times when PostgreSQL aborts it for a deadlock. */
export async function transaction<T>(db: Db, fn: (c: Conn) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const c = await db.connect();
    try {
      await c.query("BEGIN");
      const result = await fn(c);
      await c.query("COMMIT");
      return result;
    } catch (error) {
      await c.query("ROLLBACK").catch(() => {});
      const code = sqlState(error);
      if (attempt < 5 && code && RETRYABLE.has(code)) continue;
      throw error;
    } finally {
      c.release();
    }
  }
}

/** A jsonb parameter: pg would send a JS null as SQL NULL, and arrays as PostgreSQL arrays. */
export function json(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

import type pg from "pg";
import type { PrismaClient, Tx } from "@/server/db/client";

/** Runs one parameterised SQL statement and returns its rows. */
export type AuditQuery = (sql: string, params: readonly unknown[]) => Promise<unknown[]>;

/**
 * Where verification reads a log from: the app's tenant transaction (row-level security applies), a
 * plain pg client (an auditor's own connection, or a test's transaction that it will roll back), or any
 * query function.
 */
export type AuditSource = Tx | PrismaClient | pg.ClientBase | AuditQuery;

export function toQuery(source: AuditSource): AuditQuery {
  if (typeof source === "function") return source;
  if ("$queryRawUnsafe" in source) return (sql, params) => source.$queryRawUnsafe<unknown[]>(sql, ...params);
  return async (sql, params) => (await source.query<Record<string, unknown>>(sql, [...params])).rows;
}

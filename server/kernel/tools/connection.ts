import { z } from "zod";
import type { PrismaClient, Tx } from "@/server/db/client";
import { withTenant, withTenantSql } from "@/server/db/scope";
import { UUID_PATTERN } from "@/server/db/sql";
import { credentialsFor } from "@/server/connections/credentials-for";
import { AppError } from "@/server/errors";
import type { JsonValue } from "@/server/kernel/audit/canonical-json";
import type { ToolCallContext, ToolConnection } from "./registry";

/**
 * The tool manager's half of connections: the one place the kernel decrypts a connection's
 * credentials (credentialsFor) to hand them to a driver for one call, and the transactions drivers
 * get through `ctx.tenant`.
 */

export type LoadedConnection =
  | { ok: true; connection: ToolConnection; name: string; connectorId: string }
  | { ok: false; missing: boolean; error: string };

const connectionRow = z.object({
  id: z.string(),
  connectorId: z.string(),
  name: z.string(),
  config: z.record(z.string(), z.json()).catch({}),
});

/**
 * The tenant's connection `connectionId` to `connector`, credentials decrypted (and its lastUsedAt
 * stamped), in one tenant transaction. `connector` null accepts any connector (connection tests).
 * Never throws for a connection that is missing, foreign, another connector's or undecryptable: the
 * answer says why, in words that name the connection and never its credentials.
 */
export async function loadConnection(
  db: PrismaClient,
  tenantId: string,
  connector: string | null,
  connectionId: string | null | undefined,
): Promise<LoadedConnection> {
  if (!connectionId)
    return { ok: false, missing: true, error: `Choose a ${connector ?? "connector's"} connection` };
  // A malformed id is as absent as another tenant's.
  if (!UUID_PATTERN.test(connectionId))
    return { ok: false, missing: false, error: `Connection ${connectionId} not found` };
  try {
    return await withTenantSql(db, tenantId, async (sql) => {
      const [found] = await sql.query(
        `SELECT id::text AS id, "connectorId", name, config FROM "Connection" WHERE "tenantId" = $1::uuid AND id = $2::uuid`,
        [tenantId, connectionId],
      );
      if (!found) return { ok: false, missing: false, error: `Connection ${connectionId} not found` };
      const row = connectionRow.parse(found);
      if (connector !== null && row.connectorId !== connector)
        return {
          ok: false,
          missing: false,
          error: `Connection "${row.name}" is a ${row.connectorId} connection; choose a ${connector} connection`,
        };
      const credentials = await credentialsFor(sql, tenantId, row.id);
      const config: Record<string, JsonValue> = row.config;
      return {
        ok: true,
        connection: { id: row.id, config, credentials },
        name: row.name,
        connectorId: row.connectorId,
      };
    });
  } catch (error) {
    // credentialsFor's and decryption's messages name the connection and key, never the contents.
    if (error instanceof AppError) return { ok: false, missing: false, error: error.message };
    throw error;
  }
}

/**
 * `ctx.tenant` for a driver: each call one transaction that sees only this tenant's rows. Read-only
 * for dry runs, so that a dry run physically cannot write (PostgreSQL refuses any write in it).
 */
export function tenantScope(
  db: PrismaClient,
  tenantId: string,
  mode: "read-write" | "read-only",
): ToolCallContext["tenant"] {
  return <T>(fn: (tx: Tx) => Promise<T>): Promise<T> =>
    withTenant(db, { tenantId }, async (tx) => {
      if (mode === "read-only") await tx.$executeRawUnsafe("SET TRANSACTION READ ONLY");
      return fn(tx);
    });
}

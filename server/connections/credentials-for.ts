import { UUID_PATTERN, type Sql } from "@/server/db/sql";
import { notFound } from "@/server/errors";
import { credentialKeyring, decryptCredentials, type CredentialKeyring, type Credentials } from "./crypto";

/**
 * A connection's decrypted credentials, for the kernel's tool manager to hand to a connector driver
 * for one call, and for nothing else. Only server/kernel/tools/** and server/connections/** may import
 * this module (eslint.config.mjs, no-restricted-imports): credentials must never reach a page, an API
 * response, a log line, an audit entry or a model's prompt, and keeping the one decrypting function
 * behind lint is what makes that checkable.
 *
 * Runs in the caller's tenant-scoped transaction (plain SQL, so the kernel's syscall path can use it;
 * `sqlOf(tx)` for a Prisma transaction) and records the use in `lastUsedAt`.
 */
export async function credentialsFor(
  sql: Sql,
  tenantId: string,
  connectionId: string,
  ring: CredentialKeyring = credentialKeyring(),
): Promise<Credentials> {
  // A malformed id would fail the uuid cast with a database error; it is as absent as a foreign one.
  if (!UUID_PATTERN.test(connectionId)) throw notFound("Connection not found");
  const [row] = await sql.query<{ id: string; tenantId: string; credentials: string }>(
    `UPDATE "Connection" SET "lastUsedAt" = now()
      WHERE "tenantId" = $1::uuid AND id = $2::uuid
      RETURNING id::text AS id, "tenantId"::text AS "tenantId", credentials`,
    [tenantId, connectionId],
  );
  if (!row) throw notFound("Connection not found");
  // Bound to the ids as stored (lowercase), as they were when the envelope was written.
  return decryptCredentials(ring, { tenantId: row.tenantId, connectionId: row.id }, row.credentials);
}

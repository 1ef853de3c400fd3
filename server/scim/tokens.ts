/**
 * The bearer tokens an identity provider uses to call a tenant's SCIM endpoint (RFC 7644 §2). A token
 * is `tnt_scim_` and 32 random bytes in base64url; only its sha256 is stored, so it is shown once, when
 * generated. A tenant has at most one live token (the database enforces it): generating a new one
 * rotates, revoking the old one in the same transaction.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { PrismaClient } from "@/server/db/client";
import { sqlOf } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import { canManageAccess } from "@/server/tenancy/roles";

export const SCIM_TOKEN_PREFIX = "tnt_scim_";

export type ScimTokenInfo = {
  id: string;
  hint: string;
  createdAt: Date;
  lastUsedAt: Date | null;
};

const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

function requireTokenManager(ctx: TenantContext): void {
  if (!canManageAccess(ctx.actor.role)) {
    throw new AppError("FORBIDDEN", "Only owners and admins can manage the SCIM token");
  }
}

const tokenRow = z.object({
  id: z.string(),
  hint: z.string(),
  created_at: z.coerce.date(),
  last_used_at: z.coerce.date().nullable(),
});

/** The live token's hint and dates, or null; never the token. */
export async function getScimToken(ctx: TenantContext): Promise<ScimTokenInfo | null> {
  requireTokenManager(ctx);
  const rows = await sqlOf(ctx.db).query(
    `SELECT id::text, hint, created_at, last_used_at FROM scim.token
      WHERE tenant_id = $1::uuid AND revoked_at IS NULL`,
    [ctx.tenantId],
  );
  const row = rows[0];
  if (row === undefined) return null;
  const parsed = tokenRow.parse(row);
  return { id: parsed.id, hint: parsed.hint, createdAt: parsed.created_at, lastUsedAt: parsed.last_used_at };
}

/**
 * Generates a token, revoking the live one if any (rotation). The token is returned here and only
 * here: the caller shows it once.
 */
export async function generateScimToken(ctx: TenantContext): Promise<{ token: string; info: ScimTokenInfo }> {
  requireTokenManager(ctx);
  const sql = sqlOf(ctx.db);
  const revoked = await revokeLive(ctx);
  const token = `${SCIM_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const hint = `${token.slice(0, SCIM_TOKEN_PREFIX.length + 4)}…`;
  const rows = await sql.query(
    `INSERT INTO scim.token (tenant_id, token_hash, hint, created_by) VALUES ($1::uuid, $2, $3, $4::uuid)
     RETURNING id::text, hint, created_at, last_used_at`,
    [ctx.tenantId, hashToken(token), hint, ctx.actor.userId],
  );
  const row = tokenRow.parse(rows[0]);
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: revoked ? "scim.token.rotated" : "scim.token.generated",
    resource: { type: "scim_token", id: row.id, label: hint },
    outcome: "succeeded",
    detail: revoked ? { revokedTokenId: revoked } : {},
  });
  return {
    token,
    info: { id: row.id, hint: row.hint, createdAt: row.created_at, lastUsedAt: row.last_used_at },
  };
}

/** Revokes the live token: the identity provider's next call is refused. */
export async function revokeScimToken(ctx: TenantContext): Promise<void> {
  requireTokenManager(ctx);
  const revoked = await revokeLive(ctx);
  if (!revoked) throw new AppError("NOT_FOUND", "There is no SCIM token to revoke");
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "scim.token.revoked",
    resource: { type: "scim_token", id: revoked, label: "SCIM token" },
    outcome: "succeeded",
  });
}

async function revokeLive(ctx: TenantContext): Promise<string | null> {
  const rows = await sqlOf(ctx.db).query<{ id: string }>(
    `UPDATE scim.token SET revoked_at = now(), revoked_by = $2::uuid
      WHERE tenant_id = $1::uuid AND revoked_at IS NULL RETURNING id::text`,
    [ctx.tenantId, ctx.actor.userId],
  );
  return rows[0]?.id ?? null;
}

const liveTokenRows = z.array(
  z.object({ tenant_id: z.string(), token_id: z.string(), token_hash: z.string() }),
);

/**
 * The tenant a SCIM request may act in: the tenant with this slug, if `token` is its live token. An
 * unknown slug, a wrong, revoked or another tenant's token all give null (the caller answers 401 the
 * same way for each). The hashes are compared in constant time.
 */
export async function authenticateScimToken(
  db: PrismaClient,
  slug: string,
  token: string,
): Promise<{ tenantId: string; tokenId: string } | null> {
  if (!token.startsWith(SCIM_TOKEN_PREFIX) || slug.length > 100) return null;
  const presented = Buffer.from(hashToken(token), "hex");
  const rows = liveTokenRows.parse(
    await db.$queryRaw`SELECT tenant_id::text, token_id::text, token_hash FROM scim.live_tokens(${slug})`,
  );
  let match: { tenantId: string; tokenId: string } | null = null;
  for (const row of rows) {
    const stored = Buffer.from(row.token_hash, "hex");
    if (stored.length === presented.length && timingSafeEqual(stored, presented)) {
      match = { tenantId: row.tenant_id, tokenId: row.token_id };
    }
  }
  return match;
}

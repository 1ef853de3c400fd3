/**
 * Signed, expiring, single-use links that mail carries ("Approve" in an approval request): the link is
 * `/approve/<token>`, the token 32 random bytes in base64url. Only the token's sha256 is stored
 * (mail.action_link), so the table cannot be turned back into links, and the link is the credential:
 * whoever opens it may not be signed in to its tenant, so the tenant is found from the hash by
 * mail.action_link_tenant (a SECURITY DEFINER function, like scim.live_tokens) and everything else
 * happens inside that tenant.
 */
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { PrismaClient, Tx } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import type { JsonValue } from "@/server/kernel/audit/canonical-json";

export const ACTION_LINK_PATH = "/approve/";
/** The longest a link may live: mail sits unread over holidays, but not for ever. */
export const MAX_ACTION_LINK_TTL_MS = 30 * 24 * 3600_000;

export type ActionLink = {
  tenantId: string;
  /** Whom the link was mailed to. */
  userId: string;
  purpose: string;
  subjectId: string;
  payload: JsonValue;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
};

export type ActionLinkState = "valid" | "expired" | "used" | "unknown";
export type ActionLinkReading =
  { state: "unknown"; link: null } | { state: Exclude<ActionLinkState, "unknown">; link: ActionLink };

const createInput = z.object({
  tenantId: z.uuid(),
  userId: z.uuid(),
  purpose: z
    .string()
    .max(100)
    .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, "must be dotted lower-case words, e.g. approval.decide"),
  subjectId: z.uuid(),
  payload: z.custom<JsonValue>(
    (value) => JSON.stringify(value ?? null).length <= 10_000,
    "payload must be JSON of at most 10,000 characters",
  ),
  ttlMs: z.number().int().min(60_000).max(MAX_ACTION_LINK_TTL_MS),
});
export type CreateActionLinkInput = z.input<typeof createInput>;

/** 32 random bytes in base64url: 43 characters, no padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const hashOf = (token: string) => createHash("sha256").update(token, "utf8").digest();

const linkRow = z.object({
  tenant_id: z.string(),
  user_id: z.string(),
  purpose: z.string(),
  subject_id: z.string(),
  payload: z.custom<JsonValue>(() => true),
  expires_at: z.coerce.date(),
  used_at: z.coerce.date().nullable(),
  created_at: z.coerce.date(),
});

const LINK_COLUMNS = `tenant_id::text, user_id::text, purpose, subject_id::text, payload, expires_at, used_at, created_at`;

function toLink(row: unknown): ActionLink {
  const r = linkRow.parse(row);
  return {
    tenantId: r.tenant_id,
    userId: r.user_id,
    purpose: r.purpose,
    subjectId: r.subject_id,
    payload: r.payload,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
    createdAt: r.created_at,
  };
}

const stateOf = (link: ActionLink, now = new Date()): Exclude<ActionLinkState, "unknown"> =>
  link.usedAt ? "used" : link.expiresAt <= now ? "expired" : "valid";

/**
 * Makes a link for `userId` to act on `subjectId` once, within `ttlMs`. `tx` is scoped to `tenantId`
 * (withTenant). Returns the URL's path, `/approve/<token>`; the token exists only in this return value
 * (and in the mail the caller sends), so put it nowhere else, the audit log included.
 */
export async function createActionLink(tx: Tx, input: CreateActionLinkInput): Promise<string> {
  const link = createInput.parse(input);
  const token = randomBytes(32).toString("base64url");
  await sqlOf(tx).query(
    `INSERT INTO mail.action_link (token_hash, tenant_id, user_id, purpose, subject_id, payload, expires_at)
     VALUES ($1, $2::uuid, $3::uuid, $4, $5::uuid, $6::jsonb, now() + $7::double precision * interval '1 millisecond')`,
    [
      hashOf(token),
      link.tenantId,
      link.userId,
      link.purpose,
      link.subjectId,
      JSON.stringify(link.payload ?? null),
      link.ttlMs,
    ],
  );
  return `${ACTION_LINK_PATH}${token}`;
}

/** The tenant of the link with this token, found without a tenant (see the migration); null if none. */
async function tenantOf(db: PrismaClient, hash: Buffer): Promise<string | null> {
  const rows = await sqlOf(db).query<{ tenant_id: string | null }>(
    `SELECT mail.action_link_tenant($1)::text AS tenant_id`,
    [hash],
  );
  return rows[0]?.tenant_id ?? null;
}

/** What a link is and whether it still works, without using it (for the confirmation page). */
export async function readActionLink(db: PrismaClient, token: string): Promise<ActionLinkReading> {
  if (!TOKEN_PATTERN.test(token)) return { state: "unknown", link: null };
  const hash = hashOf(token);
  const tenantId = await tenantOf(db, hash);
  if (!tenantId) return { state: "unknown", link: null };
  const rows = await withTenant(db, { tenantId }, (tx) =>
    sqlOf(tx).query(`SELECT ${LINK_COLUMNS} FROM mail.action_link WHERE token_hash = $1`, [hash]),
  );
  if (rows[0] === undefined) return { state: "unknown", link: null };
  const link = toLink(rows[0]);
  return { state: stateOf(link), link };
}

const REFUSALS: Record<Exclude<ActionLinkState, "valid">, [AppError["code"], string]> = {
  unknown: ["NOT_FOUND", "This link is not valid"],
  expired: ["CONFLICT", "This link has expired"],
  used: ["CONFLICT", "This link has already been used"],
};
const refused = (state: Exclude<ActionLinkState, "valid">) => new AppError(...REFUSALS[state]);

/**
 * Uses a link, once: the conditional update makes a second use (even at the same moment, from another
 * tab) and an expired link fail. With `expectedUserId`, only the person the link was mailed to may use
 * it (FORBIDDEN for anyone else, and the link stays unused). Returns the link as it was before use.
 */
export async function consumeActionLink(
  db: PrismaClient,
  token: string,
  expectedUserId?: string,
): Promise<ActionLink> {
  if (!TOKEN_PATTERN.test(token)) throw refused("unknown");
  const hash = hashOf(token);
  const tenantId = await tenantOf(db, hash);
  if (!tenantId) throw refused("unknown");
  return withTenant(db, { tenantId }, async (tx) => {
    const sql = sqlOf(tx);
    // Locks the row, so the state read here is the one the update below sees.
    const [current] = await sql.query(
      `SELECT ${LINK_COLUMNS} FROM mail.action_link WHERE token_hash = $1 FOR UPDATE`,
      [hash],
    );
    if (current === undefined) throw refused("unknown");
    const link = toLink(current);
    if (expectedUserId !== undefined && link.userId !== expectedUserId) {
      throw new AppError("FORBIDDEN", "This link was sent to someone else");
    }
    const used = await sql.query(
      `UPDATE mail.action_link SET used_at = now()
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING 1 AS ok`,
      [hash],
    );
    if (used.length !== 1) {
      const state = stateOf(link);
      // "valid" here means the clocks disagree by a moment: the database's says it has expired.
      throw refused(state === "valid" ? "expired" : state);
    }
    return link;
  });
}

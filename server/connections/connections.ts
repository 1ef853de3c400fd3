import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { PrismaClient, Tx } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { AppError, notFound } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import { canManageAccess } from "@/server/tenancy/roles";
import { isUniqueViolation, listTenantIds, TENANT_ID_PAGE } from "@/server/tenancy/tenants";
import {
  credentialKeyring,
  credentialsHint,
  decryptCredentials,
  encryptCredentials,
  type CredentialKeyring,
  type Credentials,
} from "./crypto";

/**
 * A tenant's connections to connectors, with their credentials encrypted at rest (crypto.ts). The
 * credentials are shown once, as they are entered: nothing here returns, logs or audits them; the UI
 * and the audit log get the hint. Only credentialsFor (credentials-for.ts) decrypts them, for the
 * kernel's tool manager.
 */

/** What anyone may see of a connection: never its credentials, only their hint. */
export type ConnectionView = {
  id: string;
  connectorId: string;
  name: string;
  status: "untested" | "working" | "failing";
  credentialsHint: string;
  createdBy: { id: string; name: string };
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
};

/**
 * A connector's credential schema: its fields, every value a string. It comes from the connector's
 * manifest; callers pass it in.
 */
export type CredentialSchema = z.ZodType<Credentials>;

export const connectionInput = z.object({
  connectorId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "Use a connector id: lowercase letters, digits, '.', '_' or '-'"),
  name: z.string().trim().min(1, "Give the connection a name").max(100, "Use at most 100 characters"),
});

const VIEW_SELECT = {
  id: true,
  connectorId: true,
  name: true,
  status: true,
  credentialsHint: true,
  createdAt: true,
  updatedAt: true,
  lastUsedAt: true,
  createdBy: { select: { id: true, name: true } },
} as const;

function requireManager(ctx: TenantContext): void {
  if (!canManageAccess(ctx.actor.role)) {
    throw new AppError("FORBIDDEN", "Only owners and admins can manage connections");
  }
}

/**
 * Credentials checked against the connector's schema. The error lists fields and the schema's messages,
 * with every submitted value blanked out of them (a schema's own message could quote its input), and
 * carries no cause: a ZodError may hold the input.
 */
function checkCredentials(schema: CredentialSchema, credentials: Credentials): Credentials {
  const parsed = schema.safeParse(credentials);
  if (parsed.success) return parsed.data;
  const secrets = Object.values(credentials).filter((v) => typeof v === "string" && v.length > 0);
  const scrub = (text: string) => secrets.reduce((t, s) => t.split(s).join("[redacted]"), text);
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) {
    const field = ["credentials", ...issue.path.map((p) => scrub(String(p)))].join(".");
    // Unknown fields are not named: a secret pasted into the wrong box would arrive as a key.
    const message =
      issue.code === "unrecognized_keys"
        ? `Unknown ${issue.keys.length === 1 ? "field" : "fields"} for this connector (${issue.keys.length})`
        : scrub(issue.message);
    (fields[field] ??= []).push(message);
  }
  const summary = Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join("; ")}`)
    .join("; ");
  throw new AppError("BAD_REQUEST", summary, { fields });
}

function checkedInput(input: { connectorId: string; name: string }) {
  const parsed = connectionInput.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) (fields[issue.path.join(".")] ??= []).push(issue.message);
  const summary = Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join("; ")}`)
    .join("; ");
  throw new AppError("BAD_REQUEST", summary, { fields });
}

async function loadConnection(db: Tx, tenantId: string, id: string) {
  // Ids from the client are unverified: a malformed one is as absent as another tenant's.
  if (!z.uuid().safeParse(id).success) throw notFound("Connection not found");
  const row = await db.connection.findUnique({ where: { tenantId_id: { tenantId, id } } });
  if (!row) throw notFound("Connection not found");
  return row;
}

export async function listConnections(ctx: TenantContext): Promise<ConnectionView[]> {
  requireManager(ctx);
  return ctx.db.connection.findMany({
    where: { tenantId: ctx.tenantId },
    orderBy: [{ connectorId: "asc" }, { name: "asc" }],
    select: VIEW_SELECT,
  });
}

export async function createConnection(
  ctx: TenantContext,
  input: { connectorId: string; name: string; credentials: Credentials },
  schema: CredentialSchema,
  ring: CredentialKeyring = credentialKeyring(),
): Promise<ConnectionView> {
  requireManager(ctx);
  const { connectorId, name } = checkedInput(input);
  const credentials = checkCredentials(schema, input.credentials);
  const taken = await ctx.db.connection.findUnique({
    where: { tenantId_connectorId_name: { tenantId: ctx.tenantId, connectorId, name } },
    select: { id: true },
  });
  if (taken) throw new AppError("CONFLICT", `There is already a ${connectorId} connection named "${name}"`);
  // The id is chosen first because the envelope is bound to it.
  const id = randomUUID();
  const { envelope, keyId } = encryptCredentials(
    ring,
    { tenantId: ctx.tenantId, connectionId: id },
    credentials,
  );
  const hint = credentialsHint(credentials);
  let view: ConnectionView;
  try {
    view = await ctx.db.connection.create({
      data: {
        id,
        tenantId: ctx.tenantId,
        connectorId,
        name,
        credentials: envelope,
        keyId,
        credentialsHint: hint,
        createdById: ctx.actor.userId,
      },
      select: VIEW_SELECT,
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("CONFLICT", `There is already a ${connectorId} connection named "${name}"`);
    }
    throw error;
  }
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "connection.created",
    resource: { type: "connection", id, label: name },
    outcome: "succeeded",
    detail: { connector: connectorId, name, hint },
  });
  return view;
}

/** Replaces a connection's credentials (under the current key); it is untested until next used. */
export async function rotateCredentials(
  ctx: TenantContext,
  connectionId: string,
  credentials: Credentials,
  schema: CredentialSchema,
  ring: CredentialKeyring = credentialKeyring(),
): Promise<ConnectionView> {
  requireManager(ctx);
  const row = await loadConnection(ctx.db, ctx.tenantId, connectionId);
  const checked = checkCredentials(schema, credentials);
  const { envelope, keyId } = encryptCredentials(
    ring,
    { tenantId: ctx.tenantId, connectionId: row.id },
    checked,
  );
  const hint = credentialsHint(checked);
  const view = await ctx.db.connection.update({
    where: { tenantId_id: { tenantId: ctx.tenantId, id: row.id } },
    data: { credentials: envelope, keyId, credentialsHint: hint, status: "untested" },
    select: VIEW_SELECT,
  });
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "connection.credentials_rotated",
    resource: { type: "connection", id: row.id, label: row.name },
    outcome: "succeeded",
    detail: { connector: row.connectorId, name: row.name, from: row.credentialsHint, to: hint },
  });
  return view;
}

export async function deleteConnection(ctx: TenantContext, connectionId: string): Promise<{ id: string }> {
  requireManager(ctx);
  const row = await loadConnection(ctx.db, ctx.tenantId, connectionId);
  await ctx.db.connection.delete({ where: { tenantId_id: { tenantId: ctx.tenantId, id: row.id } } });
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "connection.deleted",
    resource: { type: "connection", id: row.id, label: row.name },
    outcome: "succeeded",
    detail: { connector: row.connectorId, name: row.name, hint: row.credentialsHint },
  });
  return { id: row.id };
}

export type ReencryptResult = {
  /** The key every connection is now under (save those listed in `failed`). */
  current: string;
  tenants: number;
  reencrypted: number;
  /** Connections left as they were because they could not be decrypted (e.g. under a dropped key). */
  failed: { tenantId: string; connectionId: string; error: string }[];
};

/**
 * Key rotation: re-encrypts every connection of every tenant that is not under the keyring's current
 * key, one transaction per tenant, audited in each tenant that had any. Idempotent: a second run finds
 * nothing to do. A connection that cannot be decrypted is reported and left alone, so one bad row does
 * not hold up every other tenant's rotation. Each row is swapped only if its envelope is still the one
 * that was read, so a concurrent rotateCredentials (which writes under the current key already) wins.
 */
export async function reencryptAll(
  db: PrismaClient,
  ring: CredentialKeyring = credentialKeyring(),
  log: (line: string) => void = () => {},
): Promise<ReencryptResult> {
  const result: ReencryptResult = { current: ring.current.id, tenants: 0, reencrypted: 0, failed: [] };
  let after: string | null = null;
  for (;;) {
    const page = await listTenantIds(db, { after, limit: TENANT_ID_PAGE });
    if (page.length === 0) break;
    for (const tenantId of page) {
      const { moved, failed } = await withTenant(db, { tenantId }, (tx) =>
        reencryptTenant(tx, tenantId, ring),
      );
      for (const f of failed) log(`tenant ${tenantId}, connection ${f.connectionId}: ${f.error}`);
      result.failed.push(...failed);
      if (moved > 0) {
        result.tenants += 1;
        result.reencrypted += moved;
        log(`tenant ${tenantId}: ${moved} connection(s) re-encrypted under key ${ring.current.id}`);
      }
    }
    after = page.at(-1) ?? null;
  }
  return result;
}

async function reencryptTenant(
  tx: Tx,
  tenantId: string,
  ring: CredentialKeyring,
): Promise<{ moved: number; failed: ReencryptResult["failed"] }> {
  const rows = await tx.connection.findMany({
    where: { tenantId, keyId: { not: ring.current.id } },
    select: { id: true, credentials: true, keyId: true, updatedAt: true },
    orderBy: { id: "asc" },
  });
  const from = new Set<string>();
  const failed: ReencryptResult["failed"] = [];
  let moved = 0;
  for (const row of rows) {
    const binding = { tenantId, connectionId: row.id };
    let credentials: Credentials;
    try {
      credentials = decryptCredentials(ring, binding, row.credentials);
    } catch (error) {
      // decryptCredentials' messages name the connection and key, never the contents.
      if (!(error instanceof AppError)) throw error;
      failed.push({ tenantId, connectionId: row.id, error: error.message });
      continue;
    }
    const { envelope, keyId } = encryptCredentials(ring, binding, credentials);
    // Only the envelope and keyId change; updatedAt keeps saying when a person last changed it.
    const { count } = await tx.connection.updateMany({
      where: { tenantId, id: row.id, credentials: row.credentials },
      data: { credentials: envelope, keyId, updatedAt: row.updatedAt },
    });
    if (count === 1) {
      from.add(row.keyId);
      moved += 1;
    }
  }
  if (moved > 0) {
    await appendAudit(tx, tenantId, {
      actor: { type: "system", label: "Credentials key rotation" },
      action: "connection.reencrypted",
      resource: null,
      outcome: "succeeded",
      detail: { count: moved, from: [...from].sort(), to: ring.current.id },
    });
  }
  return { moved, failed };
}

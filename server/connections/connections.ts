import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { ConnectionConfig } from "@/connectors/sdk";
import type { Prisma, PrismaClient, Tx } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { AppError, notFound } from "@/server/errors";
import { canonicalJson, type JsonValue } from "@/server/kernel/audit/canonical-json";
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
  /** The connection's settings that are not secret (base URL, allowed hosts, …). */
  config: ConnectionConfig;
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

/** A connector's schema for a connection's non-secret settings (the manifest's `auth.config`). */
export type ConfigSchema = z.ZodType<ConnectionConfig>;

/** Both schemas a connection is checked against: a manifest's `auth` for connectors that take one. */
export type ConnectionSchemas = { credentials: CredentialSchema; config: ConfigSchema };

/**
 * Where the schemas come from: the schemas themselves, the connector's schemas looked up by its id
 * (server/connections/catalog-view.ts, from the installed manifests), or only a credential schema, for a
 * connector with no settings (the config must then be empty).
 */
export type SchemaSource =
  CredentialSchema | ConnectionSchemas | ((connectorId: string) => ConnectionSchemas);

const NO_CONFIG: ConfigSchema = z.strictObject({});

function schemasFor(source: SchemaSource, connectorId: string): ConnectionSchemas {
  if (typeof source === "function") return source(connectorId);
  if ("safeParse" in source) return { credentials: source, config: NO_CONFIG };
  return source;
}

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
  config: true,
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

type Checked<T> = { ok: true; value: T } | { ok: false; fields: Record<string, string[]> };

/**
 * Credentials checked against the connector's schema. The error lists fields and the schema's messages,
 * with every submitted value blanked out of them (a schema's own message could quote its input), and
 * carries no cause: a ZodError may hold the input.
 */
function checkCredentials(schema: CredentialSchema, credentials: Credentials): Checked<Credentials> {
  const parsed = schema.safeParse(credentials);
  if (parsed.success) return { ok: true, value: parsed.data };
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
  return { ok: false, fields };
}

/** A connection's settings checked against the connector's config schema (they are not secret). */
function checkConfig(schema: ConfigSchema, config: ConnectionConfig): Checked<ConnectionConfig> {
  const parsed = schema.safeParse(config);
  if (parsed.success) return { ok: true, value: parsed.data };
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) {
    const field = ["config", ...issue.path.map(String)].join(".");
    const message =
      issue.code === "unrecognized_keys"
        ? `Unknown ${issue.keys.length === 1 ? "setting" : "settings"} for this connector: ${issue.keys.join(", ")}`
        : issue.message;
    (fields[field] ??= []).push(message);
  }
  return { ok: false, fields };
}

function badRequest(fields: Record<string, string[]>): AppError {
  const summary = Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join("; ")}`)
    .join("; ");
  return new AppError("BAD_REQUEST", summary, { fields });
}

/** The checked values, or one error naming every field at fault in either. */
function checkedBoth<A, B>(a: Checked<A>, b: Checked<B>): [A, B] {
  if (a.ok && b.ok) return [a.value, b.value];
  throw badRequest({ ...(a.ok ? {} : a.fields), ...(b.ok ? {} : b.fields) });
}

function checked<T>(result: Checked<T>): T {
  if (result.ok) return result.value;
  throw badRequest(result.fields);
}

/** A JSON column as read back, as the connection's settings: an object of JSON values. */
function configOf(value: Prisma.JsonValue): ConnectionConfig {
  const json = jsonOf(value);
  return typeof json === "object" && json !== null && !Array.isArray(json) ? json : {};
}

function jsonOf(value: Prisma.JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(jsonOf);
  if (typeof value === "object" && value !== null) {
    const object: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) object[key] = jsonOf(item);
    return object;
  }
  return value;
}

type ViewRow = Omit<ConnectionView, "config"> & { config: Prisma.JsonValue };

const toView = (row: ViewRow): ConnectionView => ({ ...row, config: configOf(row.config) });

function checkedInput(input: { connectorId: string; name: string }) {
  const parsed = connectionInput.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) (fields[issue.path.join(".")] ??= []).push(issue.message);
  throw badRequest(fields);
}

async function loadConnection(db: Tx, tenantId: string, id: string) {
  // Ids from the client are unverified: a malformed one is as absent as another tenant's.
  if (!z.uuid().safeParse(id).success) throw notFound("Connection not found");
  const row = await db.connection.findUnique({ where: { tenantId_id: { tenantId, id } } });
  if (!row) throw notFound("Connection not found");
  return row;
}

/** The tenant's connections, or those to one connector. */
export async function listConnections(
  ctx: TenantContext,
  filter: { connectorId?: string } = {},
): Promise<ConnectionView[]> {
  requireManager(ctx);
  const rows = await ctx.db.connection.findMany({
    where: { tenantId: ctx.tenantId, connectorId: filter.connectorId },
    orderBy: [{ connectorId: "asc" }, { name: "asc" }],
    select: VIEW_SELECT,
  });
  return rows.map(toView);
}

/** One connection of the tenant's; another tenant's is not found. */
export async function getConnection(ctx: TenantContext, connectionId: string): Promise<ConnectionView> {
  requireManager(ctx);
  const row = await loadConnection(ctx.db, ctx.tenantId, connectionId);
  return toView(
    await ctx.db.connection.findUniqueOrThrow({
      where: { tenantId_id: { tenantId: ctx.tenantId, id: row.id } },
      select: VIEW_SELECT,
    }),
  );
}

export async function createConnection(
  ctx: TenantContext,
  input: { connectorId: string; name: string; credentials: Credentials; config?: ConnectionConfig },
  schemas: SchemaSource,
  ring: CredentialKeyring = credentialKeyring(),
): Promise<ConnectionView> {
  requireManager(ctx);
  const { connectorId, name } = checkedInput(input);
  const schema = schemasFor(schemas, connectorId);
  const [credentials, config] = checkedBoth(
    checkCredentials(schema.credentials, input.credentials),
    checkConfig(schema.config, input.config ?? {}),
  );
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
    view = toView(
      await ctx.db.connection.create({
        data: {
          id,
          tenantId: ctx.tenantId,
          connectorId,
          name,
          credentials: envelope,
          keyId,
          credentialsHint: hint,
          config,
          createdById: ctx.actor.userId,
        },
        select: VIEW_SELECT,
      }),
    );
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
  schemas: SchemaSource,
  ring: CredentialKeyring = credentialKeyring(),
): Promise<ConnectionView> {
  requireManager(ctx);
  const row = await loadConnection(ctx.db, ctx.tenantId, connectionId);
  const valid = checked(checkCredentials(schemasFor(schemas, row.connectorId).credentials, credentials));
  const { envelope, keyId } = encryptCredentials(
    ring,
    { tenantId: ctx.tenantId, connectionId: row.id },
    valid,
  );
  const hint = credentialsHint(valid);
  const view = toView(
    await ctx.db.connection.update({
      where: { tenantId_id: { tenantId: ctx.tenantId, id: row.id } },
      data: { credentials: envelope, keyId, credentialsHint: hint, status: "untested" },
      select: VIEW_SELECT,
    }),
  );
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "connection.credentials_rotated",
    resource: { type: "connection", id: row.id, label: row.name },
    outcome: "succeeded",
    detail: { connector: row.connectorId, name: row.name, from: row.credentialsHint, to: hint },
  });
  return view;
}

/**
 * Replaces a connection's settings, checked against its connector's config schema. A connection whose
 * settings change is untested again (a new base URL may not answer); saving the same settings writes
 * and records nothing.
 */
export async function updateConnectionConfig(
  ctx: TenantContext,
  connectionId: string,
  config: ConnectionConfig,
  schemas: SchemaSource,
): Promise<ConnectionView> {
  requireManager(ctx);
  const row = await loadConnection(ctx.db, ctx.tenantId, connectionId);
  const next = checked(checkConfig(schemasFor(schemas, row.connectorId).config, config));
  const previous = configOf(row.config);
  if (canonicalJson(previous) === canonicalJson(next)) return getConnection(ctx, row.id);
  const view = toView(
    await ctx.db.connection.update({
      where: { tenantId_id: { tenantId: ctx.tenantId, id: row.id } },
      data: { config: next, status: "untested" },
      select: VIEW_SELECT,
    }),
  );
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "connection.config_updated",
    resource: { type: "connection", id: row.id, label: row.name },
    outcome: "succeeded",
    detail: { connector: row.connectorId, name: row.name, from: previous, to: next },
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

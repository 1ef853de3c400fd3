/**
 * The IT access catalog: the apps a tenant's people may ask for access to, and the roles in each
 * (schema `it`, migration …_scim). A role names the SCIM group that carries it in the app, and the
 * tenant role whose approval a request needs. Owners and admins keep the catalog; every member sees
 * what is requestable. Requests themselves are the `it` connector's `it.access.request`, which reads
 * a role through `requestableRole`; granting goes through the app's SCIM connection.
 */
import { z } from "zod";
import type { Tx } from "@/server/db/client";
import { hasSqlState, sqlOf, UNIQUE_VIOLATION } from "@/server/db/sql";
import { AppError, notFound } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { AuditEntryInput } from "@/server/kernel/audit/entry";
import type { TenantContext } from "@/server/tenancy/context";
import { canManageAccess, ROLES, roleSchema, type Role } from "@/server/tenancy/roles";

/** The connector whose connections provision an app's accounts (connectors/scim/manifest.ts). */
const SCIM_CONNECTOR_ID = "scim";

function requireCatalogManager(ctx: TenantContext): void {
  if (!canManageAccess(ctx.actor.role)) {
    throw new AppError("FORBIDDEN", "Only owners and admins can change the access catalog");
  }
}

const name = z.string().trim().min(1, "Give a name").max(120, "Use at most 120 characters");
const description = z.string().trim().max(2000, "Use at most 2000 characters");
const scimGroup = z
  .string()
  .trim()
  .min(1, "Give the group's name in the app")
  .max(500, "Use at most 500 characters");

export const createAppInput = z.object({
  name,
  description: description.default(""),
  scimConnectionId: z.uuid("Choose a SCIM connection").nullish(),
  /** The person responsible for the app; the creator when absent. */
  ownerUserId: z.uuid("Choose the app's owner").optional(),
});

export const updateAppInput = z.object({
  appId: z.uuid(),
  name: name.optional(),
  description: description.optional(),
  scimConnectionId: z.uuid("Choose a SCIM connection").nullish(),
  ownerUserId: z.uuid("Choose the app's owner").optional(),
  archived: z.boolean().optional(),
});

export const createRoleInput = z.object({
  appId: z.uuid(),
  name,
  scimGroup: scimGroup.nullish(),
  /** Whose approval a request for this role needs; null or absent: none. */
  approverRole: roleSchema.nullish(),
});

export const updateRoleInput = z.object({
  roleId: z.uuid(),
  name: name.optional(),
  scimGroup: scimGroup.nullish(),
  approverRole: roleSchema.nullish(),
  archived: z.boolean().optional(),
});

export type AppRoleView = {
  id: string;
  appId: string;
  name: string;
  scimGroup: string | null;
  approverRole: Role | null;
  archived: boolean;
};

export type AppView = {
  id: string;
  name: string;
  description: string;
  scimConnectionId: string | null;
  owner: { userId: string; name: string };
  archived: boolean;
  roles: AppRoleView[];
};

/** What a member sees: the app and its roles, and whether asking needs someone's approval. */
export type RequestableApp = {
  id: string;
  name: string;
  description: string;
  roles: { id: string; name: string; requiresApproval: boolean; approverRole: Role | null }[];
};

const roleRow = z.object({
  id: z.string(),
  app_id: z.string(),
  name: z.string(),
  scim_group: z.string().nullable(),
  approver_role: z.enum(ROLES).nullable(),
  archived: z.boolean(),
});

const appRow = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  scim_connection_id: z.string().nullable(),
  owner_user_id: z.string(),
  owner_name: z.string(),
  archived: z.boolean(),
});

const toRole = (r: z.infer<typeof roleRow>): AppRoleView => ({
  id: r.id,
  appId: r.app_id,
  name: r.name,
  scimGroup: r.scim_group,
  approverRole: r.approver_role,
  archived: r.archived,
});

function badInput(error: z.ZodError): AppError {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) (fields[issue.path.join(".") || "input"] ??= []).push(issue.message);
  const first = error.issues[0];
  return new AppError(
    "BAD_REQUEST",
    first ? `${first.path.join(".") || "input"}: ${first.message}` : "Invalid input",
    {
      fields,
    },
  );
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw badInput(parsed.error);
  return parsed.data;
}

async function audit(ctx: TenantContext, event: Omit<AuditEntryInput, "actor" | "outcome">) {
  await appendAudit(ctx.db, ctx.tenantId, {
    ...event,
    actor: await userActor(ctx.db, ctx.actor.userId),
    outcome: "succeeded",
  });
}

const uniqueName = (what: string, value: string) =>
  new AppError("CONFLICT", `There is already ${what} named ${JSON.stringify(value)}`, {
    fields: { name: [`Already in use`] },
  });

async function checkConnection(ctx: TenantContext, connectionId: string | null | undefined): Promise<void> {
  if (connectionId === null || connectionId === undefined) return;
  const connection = await ctx.db.connection.findUnique({
    where: { tenantId_id: { tenantId: ctx.tenantId, id: connectionId } },
    select: { connectorId: true },
  });
  if (connection === null)
    throw new AppError("BAD_REQUEST", "scimConnectionId: no such connection", {
      fields: { scimConnectionId: ["No such connection"] },
    });
  if (connection.connectorId !== SCIM_CONNECTOR_ID)
    throw new AppError("BAD_REQUEST", "scimConnectionId: choose a SCIM connection", {
      fields: { scimConnectionId: ["Choose a SCIM connection"] },
    });
}

async function checkOwner(ctx: TenantContext, userId: string): Promise<void> {
  const member = await ctx.db.membership.findUnique({
    where: { tenantId_userId: { tenantId: ctx.tenantId, userId } },
    select: { deactivatedAt: true },
  });
  if (member === null || member.deactivatedAt !== null)
    throw new AppError("BAD_REQUEST", "ownerUserId: the owner must be an active member of the tenant", {
      fields: { ownerUserId: ["Choose an active member"] },
    });
}

async function appNameFree(ctx: TenantContext, value: string, exceptId: string | null) {
  const rows = await sqlOf(ctx.db).query(
    `SELECT 1 FROM it.app WHERE tenant_id = $1::uuid AND lower(name) = lower($2) AND ($3::uuid IS NULL OR id <> $3::uuid)`,
    [ctx.tenantId, value, exceptId],
  );
  if (rows.length > 0) throw uniqueName("an app", value);
}

async function roleNameFree(ctx: TenantContext, appId: string, value: string, exceptId: string | null) {
  const rows = await sqlOf(ctx.db).query(
    `SELECT 1 FROM it.app_role WHERE tenant_id = $1::uuid AND app_id = $2::uuid AND lower(name) = lower($3)
        AND ($4::uuid IS NULL OR id <> $4::uuid)`,
    [ctx.tenantId, appId, value, exceptId],
  );
  if (rows.length > 0) throw uniqueName("a role in this app", value);
}

function onUnique(what: string, value: string) {
  return (error: unknown): never => {
    if (hasSqlState(error, UNIQUE_VIOLATION)) throw uniqueName(what, value);
    throw error;
  };
}

async function loadApps(
  db: Tx,
  tenantId: string,
  onlyActive: boolean,
  appId: string | null = null,
): Promise<AppView[]> {
  const sql = sqlOf(db);
  const apps = z.array(appRow).parse(
    await sql.query(
      `SELECT a.id::text, a.name, a.description, a.scim_connection_id::text, a.owner_user_id::text,
              u.name AS owner_name, a.archived_at IS NOT NULL AS archived
         FROM it.app a JOIN "User" u ON u.id = a.owner_user_id
        WHERE a.tenant_id = $1::uuid AND ($2::boolean = false OR a.archived_at IS NULL)
          AND ($3::uuid IS NULL OR a.id = $3::uuid)
        ORDER BY lower(a.name)`,
      [tenantId, onlyActive, appId],
    ),
  );
  const roles = z.array(roleRow).parse(
    await sql.query(
      `SELECT r.id::text, r.app_id::text, r.name, r.scim_group, r.approver_role::text AS approver_role,
              r.archived_at IS NOT NULL AS archived
         FROM it.app_role r
        WHERE r.tenant_id = $1::uuid AND ($2::boolean = false OR r.archived_at IS NULL)
          AND ($3::uuid IS NULL OR r.app_id = $3::uuid)
        ORDER BY lower(r.name)`,
      [tenantId, onlyActive, appId],
    ),
  );
  return apps.map((a) => ({
    id: a.id,
    name: a.name,
    description: a.description,
    scimConnectionId: a.scim_connection_id,
    owner: { userId: a.owner_user_id, name: a.owner_name },
    archived: a.archived,
    roles: roles.filter((r) => r.app_id === a.id).map(toRole),
  }));
}

async function loadApp(ctx: TenantContext, appId: string): Promise<AppView> {
  const [app] = await loadApps(ctx.db, ctx.tenantId, false, appId);
  // Another tenant's app is not found, like one that does not exist (RLS hides it too).
  if (!app) throw notFound("App not found");
  return app;
}

export async function createApp(ctx: TenantContext, input: z.input<typeof createAppInput>): Promise<AppView> {
  requireCatalogManager(ctx);
  const data = parse(createAppInput, input);
  const ownerUserId = data.ownerUserId ?? ctx.actor.userId;
  await checkConnection(ctx, data.scimConnectionId);
  await checkOwner(ctx, ownerUserId);
  await appNameFree(ctx, data.name, null);
  const rows = await sqlOf(ctx.db)
    .query<{ id: string }>(
      `INSERT INTO it.app (tenant_id, name, description, scim_connection_id, owner_user_id)
       VALUES ($1::uuid, $2, $3, $4::uuid, $5::uuid) RETURNING id::text`,
      [ctx.tenantId, data.name, data.description, data.scimConnectionId ?? null, ownerUserId],
    )
    .catch(onUnique("an app", data.name));
  const id = rows[0]?.id ?? "";
  await audit(ctx, {
    action: "it.app.created",
    resource: { type: "it_app", id, label: data.name },
    detail: { scimConnectionId: data.scimConnectionId ?? null, ownerUserId },
  });
  return loadApp(ctx, id);
}

export async function updateApp(ctx: TenantContext, input: z.input<typeof updateAppInput>): Promise<AppView> {
  requireCatalogManager(ctx);
  const data = parse(updateAppInput, input);
  const before = await loadApp(ctx, data.appId);
  if (data.name !== undefined) await appNameFree(ctx, data.name, before.id);
  await checkConnection(ctx, data.scimConnectionId);
  if (data.ownerUserId !== undefined) await checkOwner(ctx, data.ownerUserId);
  const after = {
    name: data.name ?? before.name,
    description: data.description ?? before.description,
    scimConnectionId: data.scimConnectionId === undefined ? before.scimConnectionId : data.scimConnectionId,
    ownerUserId: data.ownerUserId ?? before.owner.userId,
    archived: data.archived ?? before.archived,
  };
  await sqlOf(ctx.db)
    .query(
      `UPDATE it.app SET name = $3, description = $4, scim_connection_id = $5::uuid, owner_user_id = $6::uuid,
              archived_at = CASE WHEN $7 THEN coalesce(archived_at, now()) ELSE NULL END, updated_at = now()
        WHERE tenant_id = $1::uuid AND id = $2::uuid`,
      [
        ctx.tenantId,
        before.id,
        after.name,
        after.description,
        after.scimConnectionId,
        after.ownerUserId,
        after.archived,
      ],
    )
    .catch(onUnique("an app", after.name));
  const changed: Record<string, { from: string | boolean | null; to: string | boolean | null }> = {};
  if (after.name !== before.name) changed.name = { from: before.name, to: after.name };
  if (after.description !== before.description)
    changed.description = { from: before.description, to: after.description };
  if (after.scimConnectionId !== before.scimConnectionId)
    changed.scimConnectionId = { from: before.scimConnectionId, to: after.scimConnectionId };
  if (after.ownerUserId !== before.owner.userId)
    changed.ownerUserId = { from: before.owner.userId, to: after.ownerUserId };
  if (after.archived !== before.archived) changed.archived = { from: before.archived, to: after.archived };
  await audit(ctx, {
    action: "it.app.updated",
    resource: { type: "it_app", id: before.id, label: after.name },
    detail: { changed },
  });
  return loadApp(ctx, before.id);
}

export async function createAppRole(
  ctx: TenantContext,
  input: z.input<typeof createRoleInput>,
): Promise<AppRoleView> {
  requireCatalogManager(ctx);
  const data = parse(createRoleInput, input);
  const app = await loadApp(ctx, data.appId);
  await roleNameFree(ctx, app.id, data.name, null);
  const rows = await sqlOf(ctx.db)
    .query<{ id: string }>(
      `INSERT INTO it.app_role (tenant_id, app_id, name, scim_group, approver_role)
       VALUES ($1::uuid, $2::uuid, $3, $4, $5::"Role") RETURNING id::text`,
      [ctx.tenantId, app.id, data.name, data.scimGroup ?? null, data.approverRole ?? null],
    )
    .catch(onUnique("a role in this app", data.name));
  const id = rows[0]?.id ?? "";
  await audit(ctx, {
    action: "it.app_role.created",
    resource: { type: "it_app_role", id, label: `${app.name}: ${data.name}` },
    detail: { appId: app.id, scimGroup: data.scimGroup ?? null, approverRole: data.approverRole ?? null },
  });
  return roleById(ctx, id);
}

async function roleById(ctx: TenantContext, roleId: string): Promise<AppRoleView> {
  const rows = await sqlOf(ctx.db).query(
    `SELECT id::text, app_id::text, name, scim_group, approver_role::text AS approver_role, archived_at IS NOT NULL AS archived
       FROM it.app_role WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [ctx.tenantId, roleId],
  );
  if (rows[0] === undefined) throw notFound("Role not found");
  return toRole(roleRow.parse(rows[0]));
}

export async function updateAppRole(
  ctx: TenantContext,
  input: z.input<typeof updateRoleInput>,
): Promise<AppRoleView> {
  requireCatalogManager(ctx);
  const data = parse(updateRoleInput, input);
  const before = await roleById(ctx, data.roleId);
  if (data.name !== undefined) await roleNameFree(ctx, before.appId, data.name, before.id);
  const after = {
    name: data.name ?? before.name,
    scimGroup: data.scimGroup === undefined ? before.scimGroup : data.scimGroup,
    approverRole: data.approverRole === undefined ? before.approverRole : data.approverRole,
    archived: data.archived ?? before.archived,
  };
  await sqlOf(ctx.db)
    .query(
      `UPDATE it.app_role SET name = $3, scim_group = $4, approver_role = $5::"Role",
              archived_at = CASE WHEN $6 THEN coalesce(archived_at, now()) ELSE NULL END, updated_at = now()
        WHERE tenant_id = $1::uuid AND id = $2::uuid`,
      [ctx.tenantId, before.id, after.name, after.scimGroup, after.approverRole, after.archived],
    )
    .catch(onUnique("a role in this app", after.name));
  const changed: Record<string, { from: string | boolean | null; to: string | boolean | null }> = {};
  for (const key of ["name", "scimGroup", "approverRole", "archived"] as const) {
    if (after[key] !== before[key]) changed[key] = { from: before[key], to: after[key] };
  }
  await audit(ctx, {
    action: "it.app_role.updated",
    resource: { type: "it_app_role", id: before.id, label: after.name },
    detail: { appId: before.appId, changed },
  });
  return roleById(ctx, before.id);
}

/** Every app with its roles, archived ones included: the catalog's admin view. */
export async function listApps(ctx: TenantContext): Promise<AppView[]> {
  requireCatalogManager(ctx);
  return loadApps(ctx.db, ctx.tenantId, false);
}

/** What any member may ask for: apps and roles that are not archived; apps without roles are left out. */
export async function listRequestable(ctx: TenantContext): Promise<RequestableApp[]> {
  const apps = await loadApps(ctx.db, ctx.tenantId, true);
  return apps
    .filter((a) => a.roles.length > 0)
    .map((a) => ({
      id: a.id,
      name: a.name,
      description: a.description,
      roles: a.roles.map((r) => ({
        id: r.id,
        name: r.name,
        requiresApproval: r.approverRole !== null,
        approverRole: r.approverRole,
      })),
    }));
}

export type RequestableRole = {
  app: { id: string; name: string; scimConnectionId: string | null; ownerUserId: string };
  role: { id: string; name: string; scimGroup: string | null; approverRole: Role | null };
};

/**
 * A role someone may request, with what granting it needs (the app's SCIM connection and group), or
 * null when it does not exist in this tenant or it or its app is archived. For the `it` connector's
 * it.access.request, inside its tenant transaction.
 */
export async function requestableRole(
  db: Tx,
  tenantId: string,
  roleId: string,
): Promise<RequestableRole | null> {
  if (!z.uuid().safeParse(roleId).success) return null;
  const rows = await sqlOf(db).query(
    `SELECT a.id::text AS app_id, a.name AS app_name, a.scim_connection_id::text, a.owner_user_id::text,
            r.id::text AS role_id, r.name AS role_name, r.scim_group, r.approver_role::text AS approver_role
       FROM it.app_role r JOIN it.app a ON a.tenant_id = r.tenant_id AND a.id = r.app_id
      WHERE r.tenant_id = $1::uuid AND r.id = $2::uuid AND r.archived_at IS NULL AND a.archived_at IS NULL`,
    [tenantId, roleId],
  );
  if (rows[0] === undefined) return null;
  const row = z
    .object({
      app_id: z.string(),
      app_name: z.string(),
      scim_connection_id: z.string().nullable(),
      owner_user_id: z.string(),
      role_id: z.string(),
      role_name: z.string(),
      scim_group: z.string().nullable(),
      approver_role: z.enum(ROLES).nullable(),
    })
    .parse(rows[0]);
  return {
    app: {
      id: row.app_id,
      name: row.app_name,
      scimConnectionId: row.scim_connection_id,
      ownerUserId: row.owner_user_id,
    },
    role: {
      id: row.role_id,
      name: row.role_name,
      scimGroup: row.scim_group,
      approverRole: row.approver_role,
    },
  };
}

export type ProvisionedApp = { id: string; name: string; scimConnectionId: string };

/**
 * The catalog's apps (archived or not: a leaver may still have an account in an app no longer
 * offered) whose accounts Tenet provisions through a SCIM connection, by name. Where an offboarding
 * looks for the leaver's accounts. Inside the tenant's transaction; reads only.
 */
export async function provisionedApps(db: Tx, tenantId: string): Promise<ProvisionedApp[]> {
  const rows = await sqlOf(db).query(
    `SELECT id::text, name, scim_connection_id::text FROM it.app
      WHERE tenant_id = $1::uuid AND scim_connection_id IS NOT NULL ORDER BY name, id`,
    [tenantId],
  );
  return z
    .array(z.object({ id: z.string(), name: z.string(), scim_connection_id: z.string() }))
    .parse(rows)
    .map((r) => ({ id: r.id, name: r.name, scimConnectionId: r.scim_connection_id }));
}

/**
 * SCIM Users (RFC 7643 §4.1, RFC 7644 §3): the people an identity provider provisions into a tenant.
 * Each SCIM user is a Tenet User (global, found or created by email) with a Membership in the tenant
 * (role employee when new). `active: false` deactivates the membership (Membership.deactivatedAt:
 * the person keeps their history and role but cannot sign in to the tenant or act in it); DELETE
 * removes the membership and the SCIM identity, and the User row and their history stay.
 *
 * Attributes besides userName, externalId and active are kept as the provider sent them. The global
 * User's name and email are set only when the User is created here: another tenant's provider must not
 * rename someone who belongs to several tenants.
 */
import { z } from "zod";
import { ScimError, invalidValue, mutability } from "@/connectors/scim/errors";
import { getAttribute, isRecord, valuesOf } from "@/connectors/scim/evaluate";
import { parseFilter, type FilterNode } from "@/connectors/scim/filter";
import { applyPatch } from "@/connectors/scim/patch";
import { patchOpSchema, schemaUrns, userSchema } from "@/connectors/scim/schema";
import { emailSchema } from "@/server/auth/password-rules";
import { hasSqlState, sqlOf, UNIQUE_VIOLATION } from "@/server/db/sql";
import { UUID_PATTERN } from "@/server/db/sql";
import {
  auditScim,
  checkIfMatch,
  etagOf,
  isoOf,
  listResponse,
  type ListQuery,
  type Resource,
  type ScimScope,
} from "./common";

const userRow = z.object({
  id: z.string(),
  user_id: z.string(),
  user_name: z.string(),
  external_id: z.string().nullable(),
  active: z.boolean(),
  resource: z.record(z.string(), z.unknown()),
  version: z.number().int(),
  created_at: z.coerce.date(),
  updated_at: z.coerce.date(),
  groups: z.array(z.object({ value: z.string(), display: z.string() })).nullable(),
});
type UserRow = z.infer<typeof userRow>;

const selectUsers = `
  SELECT u.id::text, u.user_id::text, u.user_name, u.external_id, u.active, u.resource, u.version,
         u.created_at, u.updated_at,
         (SELECT json_agg(json_build_object('value', g.id::text, 'display', g.display_name) ORDER BY g.display_name)
            FROM scim.group_member gm JOIN scim."group" g ON g.id = gm.group_id AND g.tenant_id = gm.tenant_id
           WHERE gm.tenant_id = u.tenant_id AND gm.scim_user_id = u.id) AS groups
    FROM scim."user" u`;

/** Attributes Tenet sets or computes; never stored in `resource`. */
const computed = new Set(["id", "meta", "groups", "username", "externalid", "active"]);

function toScimUser(scope: ScimScope, row: UserRow): Resource {
  const groups = (row.groups ?? []).map((g) => ({
    ...g,
    $ref: `${scope.baseUrl}/Groups/${g.value}`,
    type: "direct",
  }));
  const schemas = valuesOf(row.resource.schemas);
  return {
    ...row.resource,
    schemas: schemas.length > 0 ? schemas : [schemaUrns.user],
    id: row.id,
    ...(row.external_id === null ? {} : { externalId: row.external_id }),
    userName: row.user_name,
    active: row.active,
    ...(groups.length > 0 ? { groups } : {}),
    meta: {
      resourceType: "User",
      created: isoOf(row.created_at),
      lastModified: isoOf(row.updated_at),
      version: etagOf(row.version),
      location: `${scope.baseUrl}/Users/${row.id}`,
    },
  };
}

async function loadRow(scope: ScimScope, id: string): Promise<UserRow> {
  // A malformed id names nobody: 404, like an unknown one or another tenant's.
  if (!UUID_PATTERN.test(id)) throw notFound(id);
  const rows = await sqlOf(scope.db).query(
    `${selectUsers} WHERE u.tenant_id = $1::uuid AND u.id = $2::uuid`,
    [scope.tenantId, id],
  );
  if (rows[0] === undefined) throw notFound(id);
  return userRow.parse(rows[0]);
}

const notFound = (id: string) => new ScimError(404, null, `User ${id} not found`);

export async function getUser(
  scope: ScimScope,
  id: string,
): Promise<{ resource: Resource; version: number }> {
  const row = await loadRow(scope, id);
  return { resource: toScimUser(scope, row), version: row.version };
}

/**
 * The lookups identity providers make before every create (`userName eq "…"`, `externalId eq "…"`)
 * read one row by index instead of the whole tenant; the filter is still evaluated on what is read.
 */
function indexedLookup(filter: string | null): { column: "user_name" | "external_id"; value: string } | null {
  if (filter === null) return null;
  let node: FilterNode;
  try {
    node = parseFilter(filter);
  } catch {
    return null; // listResponse reports the error
  }
  if (node.kind !== "compare" || node.op !== "eq" || typeof node.value !== "string") return null;
  if (node.path.subAttribute !== null) return null;
  if (node.path.schema !== null && node.path.schema.toLowerCase() !== schemaUrns.user.toLowerCase())
    return null;
  const attribute = node.path.attribute.toLowerCase();
  if (attribute === "username") return { column: "user_name", value: node.value };
  if (attribute === "externalid") return { column: "external_id", value: node.value };
  return null;
}

export async function listUsers(scope: ScimScope, query: ListQuery): Promise<Resource> {
  const lookup = indexedLookup(query.filter);
  const where =
    lookup === null
      ? ""
      : lookup.column === "user_name"
        ? " AND lower(u.user_name) = lower($2)"
        : " AND u.external_id = $2";
  const rows = z
    .array(userRow)
    .parse(
      await sqlOf(scope.db).query(
        `${selectUsers} WHERE u.tenant_id = $1::uuid${where} ORDER BY u.created_at, u.id`,
        lookup === null ? [scope.tenantId] : [scope.tenantId, lookup.value],
      ),
    );
  return listResponse(
    rows.map((row) => toScimUser(scope, row)),
    query,
  );
}

/** The checked parts of a user representation (POST body, PUT body, or a patched resource). */
type UserInput = {
  userName: string;
  externalId: string | null;
  active: boolean;
  resource: Resource;
};

function parseUser(body: unknown): UserInput {
  const candidate =
    isRecord(body) && !Array.isArray(body.schemas) ? { ...body, schemas: [schemaUrns.user] } : body;
  const parsed = userSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw invalidValue(`Invalid User: ${where}${issue?.message ?? "unreadable"}`);
  }
  const user = parsed.data;
  const resource: Resource = {};
  for (const [key, value] of Object.entries(user)) {
    if (!computed.has(key.toLowerCase())) resource[key] = value;
  }
  const userName = user.userName.trim();
  if (userName === "") throw invalidValue("userName cannot be blank");
  return { userName, externalId: user.externalId ?? null, active: user.active ?? true, resource };
}

/** The person's email: the primary email, else the first, else the userName when it is one. */
function emailOf(input: UserInput): string {
  const emails = valuesOf(input.resource.emails).filter(isRecord);
  const primary = emails.find((e) => getAttribute(e, "primary") === true) ?? emails[0];
  const candidates = [primary ? getAttribute(primary, "value") : undefined, input.userName];
  for (const candidate of candidates) {
    const parsed = emailSchema.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  throw invalidValue("A user needs an email address: in emails, or as the userName");
}

function displayNameOf(input: UserInput): string {
  const name = isRecord(input.resource.name) ? input.resource.name : {};
  const given = getAttribute(name, "givenName");
  const family = getAttribute(name, "familyName");
  const parts = [given, family].filter((p): p is string => typeof p === "string" && p.trim() !== "");
  const candidates = [
    input.resource.displayName,
    getAttribute(name, "formatted"),
    parts.length > 0 ? parts.join(" ") : undefined,
  ];
  for (const candidate of candidates)
    if (typeof candidate === "string" && candidate.trim() !== "") return candidate.trim().slice(0, 200);
  return input.userName.slice(0, 200);
}

async function assertUserNameFree(
  scope: ScimScope,
  userName: string,
  exceptId: string | null,
): Promise<void> {
  const rows = await sqlOf(scope.db).query(
    `SELECT 1 FROM scim."user" WHERE tenant_id = $1::uuid AND lower(user_name) = lower($2)
        AND ($3::uuid IS NULL OR id <> $3::uuid)`,
    [scope.tenantId, userName, exceptId],
  );
  if (rows.length > 0) throw uniqueness(userName);
}

const uniqueness = (userName: string) =>
  new ScimError(409, "uniqueness", `userName ${JSON.stringify(userName)} is already in use in this tenant`);

/**
 * Sets or clears the membership's deactivation. The tenant's last active owner is never deactivated
 * or removed by provisioning: that would lock everyone out of the tenant's settings.
 */
async function setMembershipActive(scope: ScimScope, userId: string, active: boolean): Promise<void> {
  if (!active) await assertNotLastOwner(scope, userId, "deactivated");
  await sqlOf(scope.db).query(
    `UPDATE "Membership" SET "deactivatedAt" = CASE WHEN $3 THEN NULL ELSE coalesce("deactivatedAt", now()) END
      WHERE "tenantId" = $1::uuid AND "userId" = $2::uuid`,
    [scope.tenantId, userId, active],
  );
}

async function assertNotLastOwner(scope: ScimScope, userId: string, what: string): Promise<void> {
  const rows = await sqlOf(scope.db).query<{ last: boolean }>(
    `SELECT (m.role = 'owner' AND NOT EXISTS (
              SELECT 1 FROM "Membership" o WHERE o."tenantId" = m."tenantId" AND o.role = 'owner'
                AND o."userId" <> m."userId" AND o."deactivatedAt" IS NULL)) AS last
       FROM "Membership" m WHERE m."tenantId" = $1::uuid AND m."userId" = $2::uuid`,
    [scope.tenantId, userId],
  );
  if (rows[0]?.last === true) {
    throw mutability(
      `This person is the tenant's last active owner and cannot be ${what}; make someone else an owner first`,
    );
  }
}

function guardUnique(userName: string) {
  return (error: unknown): never => {
    if (hasSqlState(error, UNIQUE_VIOLATION)) throw uniqueness(userName);
    throw error;
  };
}

/**
 * POST /Users: creates the person, or links the Tenet user with that email (already a member or not).
 * One SCIM identity per person per tenant: linking someone already provisioned is a uniqueness error.
 */
export async function createUser(
  scope: ScimScope,
  body: unknown,
): Promise<{ resource: Resource; version: number }> {
  const input = parseUser(body);
  await assertUserNameFree(scope, input.userName, null);
  const email = emailOf(input);
  const sql = sqlOf(scope.db);
  let user = await scope.db.user.findUnique({ where: { email }, select: { id: true } });
  const createdUser = user === null;
  user ??= await scope.db.user.create({ data: { email, name: displayNameOf(input) }, select: { id: true } });
  const linked = await sql.query(
    `SELECT id::text, user_name FROM scim."user" WHERE tenant_id = $1::uuid AND user_id = $2::uuid`,
    [scope.tenantId, user.id],
  );
  if (linked.length > 0) {
    throw new ScimError(
      409,
      "uniqueness",
      `A user with the email ${email} is already provisioned in this tenant`,
    );
  }
  const membership = await scope.db.membership.findUnique({
    where: { tenantId_userId: { tenantId: scope.tenantId, userId: user.id } },
    select: { id: true },
  });
  if (membership === null) {
    await scope.db.membership.create({
      data: {
        tenantId: scope.tenantId,
        userId: user.id,
        role: "employee",
        deactivatedAt: input.active ? null : new Date(),
      },
    });
  } else {
    await setMembershipActive(scope, user.id, input.active);
  }
  const rows = await sql
    .query<{ id: string }>(
      `INSERT INTO scim."user" (tenant_id, user_id, user_name, external_id, active, resource)
       VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::jsonb) RETURNING id::text`,
      [
        scope.tenantId,
        user.id,
        input.userName,
        input.externalId,
        input.active,
        JSON.stringify(input.resource),
      ],
    )
    .catch(guardUnique(input.userName));
  const id = rows[0]?.id ?? "";
  await auditScim(scope, {
    action: "scim.user.created",
    resource: { type: "user", id: user.id, label: input.userName },
    detail: {
      scimUserId: id,
      userName: input.userName,
      active: input.active,
      linked: createdUser
        ? "new user"
        : membership === null
          ? "existing user, new member"
          : "existing member",
    },
  });
  return getUser(scope, id);
}

/** Writes a whole representation over an existing user (PUT, and PATCH after applying its operations). */
async function saveUser(
  scope: ScimScope,
  row: UserRow,
  input: UserInput,
  action: "scim.user.replaced" | "scim.user.patched",
): Promise<{ resource: Resource; version: number }> {
  if (input.userName.toLowerCase() !== row.user_name.toLowerCase())
    await assertUserNameFree(scope, input.userName, row.id);
  if (input.active !== row.active) await setMembershipActive(scope, row.user_id, input.active);
  await sqlOf(scope.db)
    .query(
      `UPDATE scim."user" SET user_name = $3, external_id = $4, active = $5, resource = $6::jsonb,
              version = version + 1, updated_at = now()
        WHERE tenant_id = $1::uuid AND id = $2::uuid`,
      [
        scope.tenantId,
        row.id,
        input.userName,
        input.externalId,
        input.active,
        JSON.stringify(input.resource),
      ],
    )
    .catch(guardUnique(input.userName));
  const changed: Record<string, { from: string | boolean | null; to: string | boolean | null }> = {};
  if (input.userName !== row.user_name) changed.userName = { from: row.user_name, to: input.userName };
  if (input.externalId !== row.external_id)
    changed.externalId = { from: row.external_id, to: input.externalId };
  if (input.active !== row.active) changed.active = { from: row.active, to: input.active };
  const label = input.userName;
  await auditScim(scope, {
    action,
    resource: { type: "user", id: row.user_id, label },
    detail: { scimUserId: row.id, changed },
  });
  if (input.active !== row.active) {
    await auditScim(scope, {
      action: input.active ? "scim.user.reactivated" : "scim.user.deactivated",
      resource: { type: "user", id: row.user_id, label },
      detail: { scimUserId: row.id },
    });
  }
  return getUser(scope, row.id);
}

/** PUT /Users/{id} (RFC 7644 §3.5.1): replaces the representation; `active` omitted means true. */
export async function replaceUser(
  scope: ScimScope,
  id: string,
  body: unknown,
  ifMatch: string | null,
): Promise<{ resource: Resource; version: number }> {
  const row = await loadRow(scope, id);
  checkIfMatch(ifMatch, row.version);
  if (isRecord(body) && typeof body.id === "string" && body.id !== row.id)
    throw mutability("id cannot be changed");
  return saveUser(scope, row, parseUser(body), "scim.user.replaced");
}

/** PATCH /Users/{id} (RFC 7644 §3.5.2), with the Okta and Entra ID forms patch.ts accepts. */
export async function patchUser(
  scope: ScimScope,
  id: string,
  body: unknown,
  ifMatch: string | null,
): Promise<{ resource: Resource; version: number }> {
  const patch = patchOpSchema.safeParse(body);
  if (!patch.success) {
    const issue = patch.error.issues[0];
    throw invalidValue(
      `Invalid PatchOp: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "unreadable"}`,
    );
  }
  const row = await loadRow(scope, id);
  checkIfMatch(ifMatch, row.version);
  const result = applyPatch(toScimUser(scope, row), patch.data.Operations);
  if (!result.ok) throw result.error;
  return saveUser(scope, row, parseUser(result.resource), "scim.user.patched");
}

/** DELETE /Users/{id}: the membership and SCIM identity go; the User row and their history stay. */
export async function deleteUser(scope: ScimScope, id: string, ifMatch: string | null): Promise<void> {
  const row = await loadRow(scope, id);
  checkIfMatch(ifMatch, row.version);
  await assertNotLastOwner(scope, row.user_id, "removed");
  const sql = sqlOf(scope.db);
  await sql.query(`DELETE FROM scim."user" WHERE tenant_id = $1::uuid AND id = $2::uuid`, [
    scope.tenantId,
    row.id,
  ]);
  await sql.query(`DELETE FROM "Membership" WHERE "tenantId" = $1::uuid AND "userId" = $2::uuid`, [
    scope.tenantId,
    row.user_id,
  ]);
  await auditScim(scope, {
    action: "scim.user.deleted",
    resource: { type: "user", id: row.user_id, label: row.user_name },
    detail: { scimUserId: row.id },
  });
}

/** Whether every id is a SCIM user of this tenant; the ones that are not, for an error. */
export async function unknownUserIds(scope: ScimScope, ids: readonly string[]): Promise<string[]> {
  const valid = ids.filter((id) => UUID_PATTERN.test(id));
  const rows = await sqlOf(scope.db).query<{ id: string }>(
    `SELECT id::text FROM scim."user" WHERE tenant_id = $1::uuid AND id = ANY($2::uuid[])`,
    [scope.tenantId, valid],
  );
  const known = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !known.has(id));
}

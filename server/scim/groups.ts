/**
 * SCIM Groups (RFC 7643 §4.2): named sets of the tenant's SCIM users, as the identity provider pushes
 * them. Members are SCIM user ids of the same tenant (the database's keys include the tenant).
 */
import { z } from "zod";
import { ScimError, invalidValue, mutability } from "@/connectors/scim/errors";
import { isRecord } from "@/connectors/scim/evaluate";
import { applyPatch } from "@/connectors/scim/patch";
import { groupSchema, patchOpSchema, schemaUrns } from "@/connectors/scim/schema";
import { hasSqlState, sqlOf, UNIQUE_VIOLATION, UUID_PATTERN } from "@/server/db/sql";
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
import { unknownUserIds } from "./users";

const groupRow = z.object({
  id: z.string(),
  display_name: z.string(),
  external_id: z.string().nullable(),
  version: z.number().int(),
  created_at: z.coerce.date(),
  updated_at: z.coerce.date(),
  members: z.array(z.object({ value: z.string(), display: z.string() })).nullable(),
});
type GroupRow = z.infer<typeof groupRow>;

const selectGroups = `
  SELECT g.id::text, g.display_name, g.external_id, g.version, g.created_at, g.updated_at,
         (SELECT json_agg(json_build_object('value', u.id::text, 'display', u.user_name) ORDER BY u.user_name)
            FROM scim.group_member gm JOIN scim."user" u ON u.id = gm.scim_user_id AND u.tenant_id = gm.tenant_id
           WHERE gm.tenant_id = g.tenant_id AND gm.group_id = g.id) AS members
    FROM scim."group" g`;

const notFound = (id: string) => new ScimError(404, null, `Group ${id} not found`);

function toScimGroup(scope: ScimScope, row: GroupRow, withMembers = true): Resource {
  const members = (row.members ?? []).map((m) => ({
    ...m,
    $ref: `${scope.baseUrl}/Users/${m.value}`,
    type: "User",
  }));
  return {
    schemas: [schemaUrns.group],
    id: row.id,
    ...(row.external_id === null ? {} : { externalId: row.external_id }),
    displayName: row.display_name,
    ...(withMembers && members.length > 0 ? { members } : {}),
    meta: {
      resourceType: "Group",
      created: isoOf(row.created_at),
      lastModified: isoOf(row.updated_at),
      version: etagOf(row.version),
      location: `${scope.baseUrl}/Groups/${row.id}`,
    },
  };
}

async function loadRow(scope: ScimScope, id: string): Promise<GroupRow> {
  if (!UUID_PATTERN.test(id)) throw notFound(id);
  const rows = await sqlOf(scope.db).query(
    `${selectGroups} WHERE g.tenant_id = $1::uuid AND g.id = $2::uuid`,
    [scope.tenantId, id],
  );
  if (rows[0] === undefined) throw notFound(id);
  return groupRow.parse(rows[0]);
}

export async function getGroup(
  scope: ScimScope,
  id: string,
  withMembers = true,
): Promise<{ resource: Resource; version: number }> {
  const row = await loadRow(scope, id);
  return { resource: toScimGroup(scope, row, withMembers), version: row.version };
}

/**
 * GET /Groups. `excludedAttributes=members` (what Entra ID sends) leaves members out of the answer,
 * after filtering, so a filter on members still works.
 */
export async function listGroups(
  scope: ScimScope,
  query: ListQuery,
  withMembers: boolean,
): Promise<Resource> {
  const rows = z
    .array(groupRow)
    .parse(
      await sqlOf(scope.db).query(
        `${selectGroups} WHERE g.tenant_id = $1::uuid ORDER BY g.created_at, g.id`,
        [scope.tenantId],
      ),
    );
  const list = listResponse(
    rows.map((row) => toScimGroup(scope, row)),
    query,
  );
  if (!withMembers && Array.isArray(list.Resources)) {
    const resources: unknown[] = list.Resources;
    list.Resources = resources.map((r) => {
      if (!isRecord(r)) return r;
      const { members: _members, ...rest } = r;
      return rest;
    });
  }
  return list;
}

type GroupInput = { displayName: string; externalId: string | null; memberIds: string[] };

function parseGroup(body: unknown): GroupInput {
  const candidate =
    isRecord(body) && !Array.isArray(body.schemas) ? { ...body, schemas: [schemaUrns.group] } : body;
  const parsed = groupSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw invalidValue(`Invalid Group: ${where}${issue?.message ?? "unreadable"}`);
  }
  const displayName = parsed.data.displayName.trim();
  if (displayName === "") throw invalidValue("displayName cannot be blank");
  return {
    displayName,
    externalId: parsed.data.externalId ?? null,
    memberIds: [...new Set((parsed.data.members ?? []).map((m) => m.value))],
  };
}

const uniqueness = (displayName: string) =>
  new ScimError(
    409,
    "uniqueness",
    `A group named ${JSON.stringify(displayName)} already exists in this tenant`,
  );

async function assertNameFree(scope: ScimScope, displayName: string, exceptId: string | null) {
  const rows = await sqlOf(scope.db).query(
    `SELECT 1 FROM scim."group" WHERE tenant_id = $1::uuid AND lower(display_name) = lower($2)
        AND ($3::uuid IS NULL OR id <> $3::uuid)`,
    [scope.tenantId, displayName, exceptId],
  );
  if (rows.length > 0) throw uniqueness(displayName);
}

async function assertMembersExist(scope: ScimScope, ids: readonly string[]) {
  const unknown = await unknownUserIds(scope, ids);
  if (unknown.length > 0) throw invalidValue(`No user with id ${unknown.join(", ")} in this tenant`);
}

/** Makes the group's members exactly `ids`; returns who was added and removed. */
async function setMembers(
  scope: ScimScope,
  groupId: string,
  before: readonly string[],
  ids: readonly string[],
) {
  const added = ids.filter((id) => !before.includes(id));
  const removed = before.filter((id) => !ids.includes(id));
  const sql = sqlOf(scope.db);
  if (added.length > 0) {
    await sql.query(
      `INSERT INTO scim.group_member (tenant_id, group_id, scim_user_id)
       SELECT $1::uuid, $2::uuid, unnest($3::uuid[]) ON CONFLICT DO NOTHING`,
      [scope.tenantId, groupId, added],
    );
  }
  if (removed.length > 0) {
    await sql.query(
      `DELETE FROM scim.group_member WHERE tenant_id = $1::uuid AND group_id = $2::uuid AND scim_user_id = ANY($3::uuid[])`,
      [scope.tenantId, groupId, removed],
    );
  }
  return { added, removed };
}

export async function createGroup(
  scope: ScimScope,
  body: unknown,
): Promise<{ resource: Resource; version: number }> {
  const input = parseGroup(body);
  await assertNameFree(scope, input.displayName, null);
  await assertMembersExist(scope, input.memberIds);
  const rows = await sqlOf(scope.db)
    .query<{ id: string }>(
      `INSERT INTO scim."group" (tenant_id, display_name, external_id) VALUES ($1::uuid, $2, $3) RETURNING id::text`,
      [scope.tenantId, input.displayName, input.externalId],
    )
    .catch((error: unknown) => {
      if (hasSqlState(error, UNIQUE_VIOLATION)) throw uniqueness(input.displayName);
      throw error;
    });
  const id = rows[0]?.id ?? "";
  await setMembers(scope, id, [], input.memberIds);
  await auditScim(scope, {
    action: "scim.group.created",
    resource: { type: "scim_group", id, label: input.displayName },
    detail: { members: input.memberIds },
  });
  return getGroup(scope, id);
}

async function saveGroup(
  scope: ScimScope,
  row: GroupRow,
  input: GroupInput,
  action: "scim.group.replaced" | "scim.group.patched",
) {
  if (input.displayName.toLowerCase() !== row.display_name.toLowerCase())
    await assertNameFree(scope, input.displayName, row.id);
  const before = (row.members ?? []).map((m) => m.value);
  await assertMembersExist(
    scope,
    input.memberIds.filter((id) => !before.includes(id)),
  );
  await sqlOf(scope.db)
    .query(
      `UPDATE scim."group" SET display_name = $3, external_id = $4, version = version + 1, updated_at = now()
        WHERE tenant_id = $1::uuid AND id = $2::uuid`,
      [scope.tenantId, row.id, input.displayName, input.externalId],
    )
    .catch((error: unknown) => {
      if (hasSqlState(error, UNIQUE_VIOLATION)) throw uniqueness(input.displayName);
      throw error;
    });
  const { added, removed } = await setMembers(scope, row.id, before, input.memberIds);
  await auditScim(scope, {
    action,
    resource: { type: "scim_group", id: row.id, label: input.displayName },
    detail: {
      ...(input.displayName === row.display_name
        ? {}
        : { displayName: { from: row.display_name, to: input.displayName } }),
      membersAdded: added,
      membersRemoved: removed,
    },
  });
  return getGroup(scope, row.id);
}

export async function replaceGroup(scope: ScimScope, id: string, body: unknown, ifMatch: string | null) {
  const row = await loadRow(scope, id);
  checkIfMatch(ifMatch, row.version);
  if (isRecord(body) && typeof body.id === "string" && body.id !== row.id)
    throw mutability("id cannot be changed");
  return saveGroup(scope, row, parseGroup(body), "scim.group.replaced");
}

/**
 * PATCH /Groups/{id}: member adds and removes in every form the providers send, including Entra ID's
 * `{"op":"Remove","path":"members[value eq \"…\"]"}` and Okta's replace of the whole member list.
 */
export async function patchGroup(scope: ScimScope, id: string, body: unknown, ifMatch: string | null) {
  const patch = patchOpSchema.safeParse(body);
  if (!patch.success) {
    const issue = patch.error.issues[0];
    throw invalidValue(
      `Invalid PatchOp: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "unreadable"}`,
    );
  }
  const row = await loadRow(scope, id);
  checkIfMatch(ifMatch, row.version);
  const result = applyPatch(toScimGroup(scope, row), patch.data.Operations);
  if (!result.ok) throw result.error;
  return saveGroup(scope, row, parseGroup(result.resource), "scim.group.patched");
}

export async function deleteGroup(scope: ScimScope, id: string, ifMatch: string | null): Promise<void> {
  const row = await loadRow(scope, id);
  checkIfMatch(ifMatch, row.version);
  await sqlOf(scope.db).query(`DELETE FROM scim."group" WHERE tenant_id = $1::uuid AND id = $2::uuid`, [
    scope.tenantId,
    row.id,
  ]);
  await auditScim(scope, {
    action: "scim.group.deleted",
    resource: { type: "scim_group", id: row.id, label: row.display_name },
    detail: { members: (row.members ?? []).map((m) => m.value) },
  });
}

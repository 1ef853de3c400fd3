/**
 * Tenet's SCIM endpoint against the SCIM client, over real HTTP on 127.0.0.1 and the real database:
 * what Okta and Entra ID do to a tenant's people, and what the endpoint refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardedFetch } from "@/connectors/http/fetch";
import { ScimClient, filterString } from "@/connectors/scim/client";
import { ScimError } from "@/connectors/scim/errors";
import { schemaUrns, scimMediaType } from "@/connectors/scim/schema";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import { loadMembers } from "@/server/kernel/access/principals";
import {
  createTestTenant,
  callerFor,
  testDb,
  unique,
  withOwner,
  type TestTenant,
} from "@/server/testing/fixtures";
import { startScimTestServer, type ScimTestServer } from "./test-server";
import { generateScimToken, getScimToken, revokeScimToken } from "./tokens";

let server: ScimTestServer;
let acme: TestTenant;
let globex: TestTenant;
let acmeToken: string;
let globexToken: string;

const clientFor = (slug: string, token: string) =>
  new ScimClient({
    baseUrl: server.baseUrl(slug),
    token,
    fetch: (url, init) => guardedFetch(url, init, { allowHosts: [server.host] }),
  });

/** A raw request, for what the client does not send (bad JSON, odd headers). */
async function raw(
  slug: string,
  path: string,
  init: { method?: string; token?: string | null; body?: string } = {},
) {
  const headers: Record<string, string> = { "content-type": scimMediaType };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? acmeToken}`;
  const response = await guardedFetch(
    `${server.baseUrl(slug)}${path}`,
    { method: init.method ?? "GET", headers, ...(init.body === undefined ? {} : { body: init.body }) },
    { allowHosts: [server.host] },
  );
  return {
    status: response.status,
    headers: response.headers,
    body: response.body.length ? response.json() : null,
  };
}

async function expectScimError(promise: Promise<unknown>, status: number, scimType: string | null = null) {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScimError);
  if (error instanceof ScimError) {
    expect(error.status).toBe(status);
    expect(error.scimType).toBe(scimType);
  }
}

const membershipOf = (tenant: TestTenant, email: string) =>
  withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    tx.membership.findFirst({
      where: { tenantId: tenant.id, user: { email } },
      select: { role: true, deactivatedAt: true, userId: true },
    }),
  );

beforeAll(async () => {
  server = await startScimTestServer(testDb());
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  acmeToken = (await acme.asOwner(generateScimToken)).token;
  globexToken = (await globex.asOwner(generateScimToken)).token;
});

afterAll(async () => {
  await server.close();
});

const newUser = (userName: string, extra: Record<string, unknown> = {}) => ({
  userName,
  externalId: `ext-${userName}`,
  name: { givenName: "Bob", familyName: "Jensen" },
  emails: [{ value: userName, type: "work", primary: true }],
  active: true,
  ...extra,
});

describe("tokens", () => {
  it("are shown once, stored hashed, rotated and revoked by owners and admins only", async () => {
    const tenant = await createTestTenant(testDb(), "tok");
    const first = await tenant.asOwner(generateScimToken);
    expect(first.token).toMatch(/^tnt_scim_[A-Za-z0-9_-]{43}$/);
    const stored = await withOwner((c) =>
      c.query<{ token_hash: string; hint: string }>(
        `SELECT token_hash, hint FROM scim.token WHERE tenant_id = $1`,
        [tenant.id],
      ),
    );
    expect(stored.rows).toHaveLength(1);
    expect(JSON.stringify(stored.rows)).not.toContain(first.token);
    expect(await clientFor(tenant.slug, first.token).listUsers()).toMatchObject({ totalResults: 0 });

    const second = await tenant.asOwner(generateScimToken);
    await expectScimError(clientFor(tenant.slug, first.token).listUsers(), 401);
    expect((await clientFor(tenant.slug, second.token).listUsers()).totalResults).toBe(0);
    expect((await tenant.asOwner(getScimToken))?.hint).toBe(second.info.hint);

    await tenant.asOwner(revokeScimToken);
    await expectScimError(clientFor(tenant.slug, second.token).listUsers(), 401);
    expect(await tenant.asOwner(getScimToken)).toBeNull();

    const employee = await tenant.add("employee");
    const asEmployee = withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
      generateScimToken({
        tenantId: tenant.id,
        actor: { userId: employee.userId, membershipId: employee.membershipId, role: "employee" },
        db: tx,
      }),
    );
    await expect(asEmployee).rejects.toBeInstanceOf(AppError);
  });
});

describe("authentication", () => {
  it("answers 401 with a SCIM error for a missing, wrong or another tenant's token, and shows no data", async () => {
    const created = await clientFor(acme.slug, acmeToken).createUser(newUser(`${unique("auth")}@acme.test`));
    for (const token of [null, "tnt_scim_wrong", "not-even-prefixed", globexToken]) {
      const response = await raw(acme.slug, `/Users/${created.id ?? ""}`, { token });
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe(scimMediaType);
      expect(response.body).toMatchObject({ schemas: [schemaUrns.error], status: "401" });
      expect(JSON.stringify(response.body)).not.toContain(created.userName);
    }
    // Globex's token on Globex's URL sees none of Acme's users, by id or by list.
    await expectScimError(clientFor(globex.slug, globexToken).getUser(created.id ?? ""), 404);
    const globexUsers = await clientFor(globex.slug, globexToken).listUsers({
      filter: `userName eq ${filterString(created.userName)}`,
    });
    expect(globexUsers.totalResults).toBe(0);
    // Unknown tenant: 401, like a wrong token.
    expect((await raw("no-such-tenant", "/Users")).status).toBe(401);
  });
});

describe("Users", () => {
  it("creates a user and membership, gets, lists and audits", async () => {
    const client = clientFor(acme.slug, acmeToken);
    const userName = `${unique("bjensen")}@acme.test`;
    const created = await client.createUser(newUser(userName));
    expect(created).toMatchObject({
      userName,
      active: true,
      externalId: `ext-${userName}`,
      meta: { resourceType: "User" },
    });
    expect(created.meta?.version).toMatch(/^W\/"\d+"$/);
    expect(created.meta?.location).toBe(`${server.baseUrl(acme.slug)}/Users/${created.id ?? ""}`);
    expect(await client.getUser(created.id ?? "")).toMatchObject({ userName, name: { givenName: "Bob" } });
    const membership = await membershipOf(acme, userName.toLowerCase());
    expect(membership).toMatchObject({ role: "employee", deactivatedAt: null });
    const audit = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      tx.auditEntry.findFirst({
        where: { tenantId: acme.id, action: "scim.user.created", resourceLabel: userName },
      }),
    );
    expect(audit).toMatchObject({ actorType: "system", actorLabel: "SCIM (identity provider)" });
  });

  it("links an existing Tenet user by email, keeping their role", async () => {
    const approver = await acme.add("approver");
    const created = await clientFor(acme.slug, acmeToken).createUser(newUser(approver.email));
    expect(created.userName).toBe(approver.email);
    expect(await membershipOf(acme, approver.email)).toMatchObject({
      role: "approver",
      userId: approver.userId,
    });
    await expectScimError(
      clientFor(acme.slug, acmeToken).createUser(
        newUser(`other-${approver.email}`, { emails: [{ value: approver.email, primary: true }] }),
      ),
      409,
      "uniqueness",
    );
  });

  it("filters with every operator, pages and sorts", async () => {
    const tenant = await createTestTenant(testDb(), "filters");
    const token = (await tenant.asOwner(generateScimToken)).token;
    const client = clientFor(tenant.slug, token);
    const ann = await client.createUser(
      newUser("ann@f.test", { name: { givenName: "Ann", familyName: "Lee" }, externalId: "E-1" }),
    );
    const bob = await client.createUser(
      newUser("bob@f.test", {
        name: { givenName: "Bob", familyName: "Ray" },
        externalId: "E-2",
        active: false,
      }),
    );
    const cat = await client.createUser(
      newUser("cat@g.test", { name: { givenName: "Cat" }, externalId: "E-3", emails: [] }),
    );
    const names = async (filter: string) =>
      (await client.listUsers({ filter })).resources.map((u) => u.userName).sort();

    expect(await names('userName eq "ANN@f.test"')).toEqual(["ann@f.test"]);
    expect(await names('userName ne "ann@f.test"')).toEqual(["bob@f.test", "cat@g.test"]);
    expect(await names('userName co "@f."')).toEqual(["ann@f.test", "bob@f.test"]);
    expect(await names('userName sw "c"')).toEqual(["cat@g.test"]);
    expect(await names('userName ew ".test"')).toHaveLength(3);
    expect(await names('externalId eq "E-2"')).toEqual(["bob@f.test"]);
    expect(await names('externalId eq "e-2"')).toEqual([]); // externalId is caseExact
    expect(await names('emails.value eq "ann@f.test"')).toEqual(["ann@f.test"]);
    expect(await names('emails[type eq "work" and value co "bob"]')).toEqual(["bob@f.test"]);
    expect(await names("active eq false")).toEqual(["bob@f.test"]);
    expect(await names("name.familyName pr")).toEqual(["ann@f.test", "bob@f.test"]);
    expect(await names('name.givenName eq "cat" or externalId eq "E-1"')).toEqual([
      "ann@f.test",
      "cat@g.test",
    ]);
    expect(await names('userName co "f" and active eq true')).toEqual(["ann@f.test"]);
    expect(await names('not (userName co "@f.")')).toEqual(["cat@g.test"]);

    const page = await client.listUsers({ startIndex: 2, count: 1 });
    expect(page).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(page.resources[0]?.id).toBe(bob.id);
    const sorted = await raw(tenant.slug, "/Users?sortBy=name.givenName&sortOrder=descending", { token });
    expect(sorted.body).toMatchObject({ Resources: [{ id: cat.id }, { id: bob.id }, { id: ann.id }] });

    const bad = await raw(tenant.slug, `/Users?filter=${encodeURIComponent("userName eq")}`, { token });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ scimType: "invalidFilter", status: "400" });
  });

  it("PUT replaces, PATCH adds, replaces and removes in the Okta and Entra shapes", async () => {
    const client = clientFor(acme.slug, acmeToken);
    const userName = `${unique("patch")}@acme.test`;
    const user = await client.createUser(newUser(userName, { displayName: "Bob J" }));
    const id = user.id ?? "";

    const replaced = await client.replaceUser(id, {
      userName,
      name: { givenName: "Robert" },
      emails: [{ value: userName }],
    });
    expect(replaced).toMatchObject({ name: { givenName: "Robert" }, active: true });
    expect(replaced).not.toHaveProperty("displayName");
    expect(replaced).not.toHaveProperty("externalId");

    // Okta: replace with a path-less value object.
    const okta = await client.patchUser(id, [
      { op: "replace", value: { name: { familyName: "Smith" }, displayName: "Rob" } },
    ]);
    expect(okta).toMatchObject({ name: { givenName: "Robert", familyName: "Smith" }, displayName: "Rob" });
    // Entra: capitalised ops, dotted keys, string booleans, add to a filtered email path.
    const entra = await client.patchUser(id, [
      { op: "Replace", value: { "name.givenName": "Bobby" } },
      { op: "Add", path: 'emails[type eq "home"].value', value: "bobby@home.test" },
      { op: "Add", path: "externalId", value: "entra-42" },
      { op: "Remove", path: "displayName" },
    ]);
    expect(entra).toMatchObject({ name: { givenName: "Bobby" }, externalId: "entra-42" });
    expect(entra?.emails).toContainEqual({ type: "home", value: "bobby@home.test" });
    expect(entra).not.toHaveProperty("displayName");

    await expectScimError(
      client.patchUser(id, [{ op: "replace", path: "id", value: "x" }]),
      400,
      "mutability",
    );
    await expectScimError(
      client.patchUser(id, [{ op: "replace", path: 'emails[type eq "fax"].value', value: "x" }]),
      400,
      "noTarget",
    );
    await expectScimError(
      client.patchUser(id, [{ op: "replace", path: "emails[", value: "x" }]),
      400,
      "invalidPath",
    );
    // A failed PATCH changed nothing.
    expect((await client.getUser(id)).meta?.version).toBe(entra?.meta?.version);
  });

  it("deactivates and reactivates the membership; a deactivated member is refused and out of the directory", async () => {
    const employee = await acme.add("employee");
    const client = clientFor(acme.slug, acmeToken);
    const user = await client.createUser(newUser(employee.email));
    const id = user.id ?? "";
    const caller = callerFor(testDb(), employee.userId, acme.slug);
    const members = () =>
      withTenant(testDb(), { tenantId: acme.id }, (tx) => loadMembers(tx, acme.id, [employee.userId]));

    await caller.tenant.current();
    expect((await members()).has(employee.userId)).toBe(true);

    // Entra: "active": "False" as a string.
    const off = await client.patchUser(id, [{ op: "Replace", path: "active", value: "False" }]);
    expect(off?.active).toBe(false);
    expect((await membershipOf(acme, employee.email))?.deactivatedAt).toBeInstanceOf(Date);
    await expect(caller.tenant.current()).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await members()).has(employee.userId)).toBe(false);
    // The owner is unaffected.
    await callerFor(testDb(), acme.owner.userId, acme.slug).tenant.current();

    // Okta: path-less replace of active.
    const on = await client.patchUser(id, [{ op: "replace", value: { active: true } }]);
    expect(on?.active).toBe(true);
    expect((await membershipOf(acme, employee.email))?.deactivatedAt).toBeNull();
    await caller.tenant.current();
    expect((await members()).has(employee.userId)).toBe(true);
  });

  it("refuses a duplicate userName (409), an unknown id (404) and malformed JSON (400)", async () => {
    const client = clientFor(acme.slug, acmeToken);
    const userName = `${unique("dup")}@acme.test`;
    const first = await client.createUser(newUser(userName));
    await expectScimError(client.createUser(newUser(userName.toUpperCase())), 409, "uniqueness");
    const other = await client.createUser(newUser(`${unique("dup2")}@acme.test`));
    await expectScimError(
      client.patchUser(other.id ?? "", [{ op: "replace", path: "userName", value: userName }]),
      409,
      "uniqueness",
    );
    await expectScimError(client.getUser("00000000-0000-4000-8000-000000000000"), 404);
    await expectScimError(client.getUser("not-a-uuid"), 404);
    await expectScimError(client.createUser({ userName: "no-email-here" }), 400, "invalidValue");

    const malformed = await raw(acme.slug, "/Users", { method: "POST", body: '{"userName": ' });
    expect(malformed).toMatchObject({
      status: 400,
      body: { scimType: "invalidSyntax", schemas: [schemaUrns.error] },
    });
    const stale = await raw(acme.slug, `/Users/${first.id ?? ""}`, { method: "DELETE" });
    expect(stale.status).toBe(204);
  });

  it("lets one of two concurrent creates of the same person through, and answers the other 409", async () => {
    const client = clientFor(acme.slug, acmeToken);
    const userName = `${unique("race")}@acme.test`;
    const results = await Promise.allSettled([
      client.createUser(newUser(userName)),
      client.createUser(newUser(userName)),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected");
    expect(rejected?.status === "rejected" ? rejected.reason : null).toMatchObject({
      status: 409,
      scimType: "uniqueness",
    });
    expect((await client.listUsers({ filter: `userName eq ${filterString(userName)}` })).totalResults).toBe(
      1,
    );
  });

  it("DELETE removes the membership and SCIM identity; the User row stays", async () => {
    const client = clientFor(acme.slug, acmeToken);
    const userName = `${unique("gone")}@acme.test`;
    const user = await client.createUser(newUser(userName));
    const membership = await membershipOf(acme, userName);
    await client.deleteUser(user.id ?? "");
    await expectScimError(client.getUser(user.id ?? ""), 404);
    expect(await membershipOf(acme, userName)).toBeNull();
    const still = await withOwner((c) => c.query(`SELECT 1 FROM "User" WHERE id = $1`, [membership?.userId]));
    expect(still.rowCount).toBe(1);
    // Provisioned again later: the same person, a new membership.
    const again = await client.createUser(newUser(userName));
    expect((await membershipOf(acme, userName))?.userId).toBe(membership?.userId);
    expect(again.id).not.toBe(user.id);
  });

  it("never deactivates the tenant's last active owner", async () => {
    const tenant = await createTestTenant(testDb(), "owner");
    const token = (await tenant.asOwner(generateScimToken)).token;
    const client = clientFor(tenant.slug, token);
    const owner = await client.createUser(newUser(tenant.owner.email));
    await expectScimError(
      client.patchUser(owner.id ?? "", [{ op: "replace", path: "active", value: false }]),
      400,
      "mutability",
    );
    await expectScimError(client.deleteUser(owner.id ?? ""), 400, "mutability");
    expect((await membershipOf(tenant, tenant.owner.email))?.deactivatedAt).toBeNull();
  });

  it("honours If-Match", async () => {
    const client = clientFor(acme.slug, acmeToken);
    const user = await client.createUser(newUser(`${unique("etag")}@acme.test`));
    const body = JSON.stringify({
      schemas: [schemaUrns.patchOp],
      Operations: [{ op: "replace", path: "displayName", value: "X" }],
    });
    const response = await guardedFetch(
      `${server.baseUrl(acme.slug)}/Users/${user.id ?? ""}`,
      {
        method: "PATCH",
        headers: {
          authorization: `Bearer ${acmeToken}`,
          "content-type": scimMediaType,
          "if-match": 'W/"999"',
        },
        body,
      },
      { allowHosts: [server.host] },
    );
    expect(response.status).toBe(412);
  });
});

describe("Groups", () => {
  it("creates groups and manages members in the Okta and Entra shapes", async () => {
    const client = clientFor(acme.slug, acmeToken);
    const ann = await client.createUser(newUser(`${unique("gann")}@acme.test`));
    const bob = await client.createUser(newUser(`${unique("gbob")}@acme.test`));
    const annId = ann.id ?? "";
    const bobId = bob.id ?? "";
    const name = unique("Engineering");
    const group = await client.createGroup({ displayName: name, members: [{ value: annId }] });
    const groupId = group.id ?? "";
    expect(group.members?.map((m) => m.value)).toEqual([annId]);
    await expectScimError(client.createGroup({ displayName: name.toUpperCase() }), 409, "uniqueness");

    await client.addGroupMembers(groupId, [bobId, annId]);
    expect((await client.getGroup(groupId)).members?.map((m) => m.value).sort()).toEqual(
      [annId, bobId].sort(),
    );
    expect((await client.getUser(bobId)).groups).toEqual([
      expect.objectContaining({ value: groupId, display: name }),
    ]);

    // Entra: remove by a value filter in the path.
    await client.patchGroup(groupId, [{ op: "Remove", path: `members[value eq "${annId}"]` }]);
    expect((await client.getGroup(groupId)).members?.map((m) => m.value)).toEqual([bobId]);
    // Okta: remove with a value list; then replace the whole list.
    await client.patchGroup(groupId, [{ op: "remove", path: "members", value: [{ value: bobId }] }]);
    expect((await client.getGroup(groupId)).members ?? []).toEqual([]);
    await client.patchGroup(groupId, [
      { op: "replace", path: "members", value: [{ value: annId }, { value: bobId }] },
    ]);
    expect((await client.getGroup(groupId)).members).toHaveLength(2);
    // Okta: rename through a path-less replace.
    const renamed = await client.patchGroup(groupId, [
      { op: "replace", value: { id: groupId, displayName: `${name}-2` } },
    ]);
    expect(renamed?.displayName).toBe(`${name}-2`);

    await expectScimError(
      client.addGroupMembers(groupId, ["00000000-0000-4000-8000-000000000000"]),
      400,
      "invalidValue",
    );
    const listed = await client.listGroups({ filter: `displayName eq ${filterString(`${name}-2`)}` });
    expect(listed.resources.map((g) => g.id)).toEqual([groupId]);
    const excluded = await raw(
      acme.slug,
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${name}-2"`)}`,
    );
    expect(excluded.body).toMatchObject({ totalResults: 1 });
    expect(JSON.stringify(excluded.body)).not.toContain("members");

    // A deleted user leaves the group; a deleted group is gone.
    await client.deleteUser(bobId);
    expect((await client.getGroup(groupId)).members?.map((m) => m.value)).toEqual([annId]);
    const put = await raw(acme.slug, `/Groups/${groupId}`, {
      method: "PUT",
      body: JSON.stringify({ schemas: [schemaUrns.group], displayName: `${name}-3` }),
    });
    expect(put).toMatchObject({ status: 200, body: { displayName: `${name}-3` } });
    expect((await client.getGroup(groupId)).members ?? []).toEqual([]);
    await client.deleteUser(annId);
    const deleted = await raw(acme.slug, `/Groups/${groupId}`, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    await expectScimError(client.getGroup(groupId), 404);
  });
});

describe("discovery", () => {
  it("serves ServiceProviderConfig, ResourceTypes and Schemas", async () => {
    const config = await raw(acme.slug, "/ServiceProviderConfig");
    expect(config).toMatchObject({
      status: 200,
      body: { patch: { supported: true }, filter: { supported: true } },
    });
    const types = await raw(acme.slug, "/ResourceTypes");
    expect(types.body).toMatchObject({ totalResults: 2 });
    const userSchema = await raw(acme.slug, `/Schemas/${schemaUrns.user}`);
    expect(userSchema.body).toMatchObject({ id: schemaUrns.user });
    expect((await raw(acme.slug, "/Nope")).status).toBe(404);
  });

  it("writes nothing for a refused request", async () => {
    const before = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ n: number }>(
        `SELECT count(*)::int AS n FROM scim."user" WHERE tenant_id = $1::uuid`,
        [acme.id],
      ),
    );
    await raw(acme.slug, "/Users", {
      method: "POST",
      token: globexToken,
      body: JSON.stringify(newUser(`${unique("x")}@acme.test`)),
    });
    await raw(acme.slug, "/Users", { method: "POST", body: JSON.stringify({ userName: "" }) });
    const after = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ n: number }>(
        `SELECT count(*)::int AS n FROM scim."user" WHERE tenant_id = $1::uuid`,
        [acme.id],
      ),
    );
    expect(after[0]?.n).toBe(before[0]?.n);
  });
});

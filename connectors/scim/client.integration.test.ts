/**
 * The SCIM client against a SCIM server on 127.0.0.1 built here from the same filter and PATCH modules
 * over an in-memory store, so every request crosses real HTTP both ways.
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { guardedFetch } from "@/connectors/http/fetch";
import { ScimClient, filterString, type ScimFetch } from "./client";
import { ScimError } from "./errors";
import { evaluateFilter, isRecord, valuesOf } from "./evaluate";
import { parseFilter } from "./filter";
import { applyPatch } from "./patch";
import { errorResponse, groupSchema, patchOpSchema, schemaUrns, scimMediaType, userSchema } from "./schema";

const token = "scim-test-token-5f1c0d7e9a";

type Resource = Record<string, unknown>;

interface Hit {
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
}

/** A minimal RFC 7644 service provider: Users and Groups, filters, paging, PATCH, errors. */
function scimServer() {
  const users = new Map<string, Resource>();
  const groups = new Map<string, Resource>();
  const hits: Hit[] = [];

  const send = (response: http.ServerResponse, status: number, body?: unknown) => {
    if (body === undefined) {
      response.writeHead(status).end();
      return;
    }
    response.writeHead(status, { "content-type": scimMediaType }).end(JSON.stringify(body));
  };
  const fail = (response: http.ServerResponse, status: number, scimType: string | null, detail: string) =>
    send(response, status, errorResponse(status, scimType, detail));

  const withGroups = (user: Resource): Resource => ({
    ...user,
    groups: [...groups.values()]
      .filter((group) =>
        valuesOf(group.members).some((member) => isRecord(member) && member.value === user.id),
      )
      .map((group) => ({ value: group.id, display: group.displayName, type: "direct" })),
  });

  const userNameTaken = (userName: unknown, exceptId?: string) =>
    typeof userName === "string" &&
    [...users.values()].some(
      (u) => u.id !== exceptId && String(u.userName).toLowerCase() === userName.toLowerCase(), // RFC 7643 §4.1.1: case-insensitive unique
    );

  function list(response: http.ServerResponse, url: URL, resources: Resource[]) {
    const filter = url.searchParams.get("filter");
    let matched = resources;
    if (filter !== null) {
      const node = parseFilter(filter); // throws invalidFilter, answered as 400 below
      matched = resources.filter((resource) => evaluateFilter(node, resource));
    }
    const startIndex = Math.max(1, Number(url.searchParams.get("startIndex") ?? 1));
    const count = Math.max(0, Number(url.searchParams.get("count") ?? 100));
    const page = matched.slice(startIndex - 1, startIndex - 1 + count);
    send(response, 200, {
      schemas: [schemaUrns.listResponse],
      totalResults: matched.length,
      startIndex,
      itemsPerPage: page.length,
      Resources: page,
    });
  }

  function handle(method: string, url: URL, body: unknown, response: http.ServerResponse) {
    const [, collection, id] = url.pathname.replace(/^\/scim\/v2/, "").split("/");
    const isUsers = collection === "Users";
    const store = isUsers ? users : groups;
    const schema = isUsers ? userSchema : groupSchema;
    const existing = id === undefined ? undefined : store.get(id);
    if (id !== undefined && !existing) return fail(response, 404, null, `Resource ${id} not found`);
    const now = new Date().toISOString();

    if (method === "GET" && existing) return send(response, 200, isUsers ? withGroups(existing) : existing);
    if (method === "GET")
      return list(
        response,
        url,
        [...store.values()].map((r) => (isUsers ? withGroups(r) : r)),
      );
    if (method === "DELETE" && id !== undefined) {
      store.delete(id);
      return send(response, 204);
    }
    if (method === "POST" || method === "PUT") {
      const parsed = schema.safeParse(body);
      if (!parsed.success)
        return fail(response, 400, "invalidValue", parsed.error.issues[0]?.message ?? "invalid");
      const resource: Resource = parsed.data;
      if (isUsers && userNameTaken(resource.userName, id)) {
        return fail(response, 409, "uniqueness", `userName ${String(resource.userName)} is already taken`);
      }
      const newId = id ?? randomUUID();
      const created = isRecord(existing?.meta) ? existing.meta : {};
      const stored = {
        ...resource,
        id: newId,
        meta: { created: now, ...created, lastModified: now, resourceType: isUsers ? "User" : "Group" },
      };
      store.set(newId, stored);
      return send(response, id === undefined ? 201 : 200, stored);
    }
    if (method === "PATCH" && existing && id !== undefined) {
      const parsed = patchOpSchema.safeParse(body);
      if (!parsed.success) return fail(response, 400, "invalidSyntax", "not a PatchOp");
      const result = applyPatch(existing, parsed.data.Operations);
      if (!result.ok) return fail(response, result.error.status, result.error.scimType, result.error.detail);
      const valid = schema.safeParse(result.resource);
      if (!valid.success)
        return fail(response, 400, "invalidValue", valid.error.issues[0]?.message ?? "invalid");
      if (isUsers && userNameTaken(result.resource.userName, id))
        return fail(response, 409, "uniqueness", "userName is taken");
      store.set(id, {
        ...result.resource,
        meta: { ...(isRecord(existing.meta) ? existing.meta : {}), lastModified: now },
      });
      // Groups answer 204 like many providers do (RFC 7644 §3.5.2 allows 200 with the resource or 204).
      return isUsers ? send(response, 200, withGroups(store.get(id) ?? {})) : send(response, 204);
    }
    return fail(response, 405, null, `${method} is not supported here`);
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const method = request.method ?? "";
      hits.push({
        method,
        url: request.url ?? "",
        contentType: request.headers["content-type"],
        authorization: request.headers.authorization,
      });
      if (request.headers.authorization !== `Bearer ${token}`) {
        // A careless provider that echoes the credential: the client must redact it.
        return fail(response, 401, null, `Invalid credentials: ${request.headers.authorization ?? "none"}`);
      }
      const text = Buffer.concat(chunks).toString();
      let body: unknown;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        return fail(response, 400, "invalidSyntax", "The body is not JSON");
      }
      try {
        handle(method, new URL(request.url ?? "/", "http://localhost"), body, response);
      } catch (error) {
        if (error instanceof ScimError) return fail(response, error.status, error.scimType, error.detail);
        return fail(response, 500, null, "internal error");
      }
    });
  });
  return { server, users, groups, hits };
}

const fetchFn: ScimFetch = (url, init) => fetch(url, init);

let scim: ReturnType<typeof scimServer>;
let baseUrl: string;
let client: ScimClient;

beforeAll(async () => {
  scim = scimServer();
  scim.server.listen(0, "127.0.0.1");
  await once(scim.server, "listening");
  const { port } = scim.server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}/scim/v2/`;
  client = new ScimClient({ baseUrl, token, fetch: fetchFn });
});

afterAll(async () => {
  scim.server.closeAllConnections();
  await new Promise<void>((resolve) => scim.server.close(() => resolve()));
});

beforeEach(() => {
  scim.users.clear();
  scim.groups.clear();
  scim.hits.length = 0;
});

async function scimError(promise: Promise<unknown>): Promise<ScimError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ScimError)) throw new Error(`expected a ScimError, got ${String(error)}`);
  return error;
}

const bjensen = {
  userName: "bjensen@acme.com",
  externalId: "701984",
  name: { givenName: "Barbara", familyName: "Jensen" },
  displayName: "Babs Jensen",
  emails: [{ value: "bjensen@acme.com", type: "work", primary: true }],
  active: true,
  [schemaUrns.enterpriseUser]: { employeeNumber: "701984", department: "Tours" },
};

describe("users", () => {
  it("creates, reads, replaces and deletes a user", async () => {
    const created = await client.createUser(bjensen);
    expect(created).toMatchObject({
      userName: "bjensen@acme.com",
      schemas: [schemaUrns.user, schemaUrns.enterpriseUser],
    });
    const id = created.id ?? "";
    expect(id).not.toBe("");
    expect(await client.getUser(id)).toMatchObject({ displayName: "Babs Jensen", groups: [] });

    const replaced = await client.replaceUser(id, { userName: "babs@acme.com", active: true });
    expect(replaced).toMatchObject({ id, userName: "babs@acme.com" });
    expect(replaced).not.toHaveProperty("displayName");

    await client.deleteUser(id);
    expect(await scimError(client.getUser(id))).toMatchObject({ status: 404, scimType: null });
  });

  it("sends application/scim+json and the bearer token", async () => {
    await client.createUser(bjensen);
    expect(scim.hits[0]).toMatchObject({
      method: "POST",
      url: "/scim/v2/Users",
      contentType: scimMediaType,
      authorization: `Bearer ${token}`,
    });
  });

  it("refuses a second user with the same userName in any case with 409 uniqueness", async () => {
    await client.createUser(bjensen);
    const error = await scimError(client.createUser({ userName: "BJENSEN@acme.com" }));
    expect(error).toMatchObject({ status: 409, scimType: "uniqueness" });
    expect(error.detail).toContain("already taken");
  });

  it("lists with filters and pages", async () => {
    for (const name of ["ann", "bob", "cat", "dan"]) {
      await client.createUser({
        userName: `${name}@acme.com`,
        active: name !== "dan",
        emails: [{ value: `${name}@acme.com`, type: "work" }],
      });
    }
    const active = await client.listUsers({
      filter: 'active eq true and emails[type eq "work" and value co "@ACME"]',
    });
    expect(active.totalResults).toBe(3);
    const one = await client.listUsers({ filter: `userName eq ${filterString("BOB@acme.com")}` });
    expect(one.resources.map((u) => u.userName)).toEqual(["bob@acme.com"]);
    const page = await client.listUsers({ startIndex: 2, count: 2 });
    expect(page).toMatchObject({ totalResults: 4, startIndex: 2, itemsPerPage: 2 });
    expect(page.resources.map((u) => u.userName)).toEqual(["bob@acme.com", "cat@acme.com"]);
    expect((await client.listUsers({ filter: 'userName sw "zed"' })).resources).toEqual([]);
  });

  it("answers a bad filter with 400 invalidFilter naming the position", async () => {
    const error = await scimError(client.listUsers({ filter: 'userName eq "a" and' }));
    expect(error).toMatchObject({ status: 400, scimType: "invalidFilter" });
    expect(error.detail).toContain("position 19");
  });

  it("patches, deactivates, and reports PATCH errors", async () => {
    const { id = "" } = await client.createUser(bjensen);
    const patched = await client.patchUser(id, [
      {
        op: "Replace",
        value: { "name.givenName": "Babs", [`${schemaUrns.enterpriseUser}:department`]: "Ops" },
      },
      { op: "add", path: 'emails[type eq "home"].value', value: "babs@home.org" },
      { op: "replace", path: 'emails[type eq "work"].value', value: "babs@acme.com" },
    ]);
    expect(patched).toMatchObject({
      name: { givenName: "Babs", familyName: "Jensen" },
      emails: [
        { value: "babs@acme.com", type: "work", primary: true },
        { value: "babs@home.org", type: "home" },
      ],
      [schemaUrns.enterpriseUser]: { employeeNumber: "701984", department: "Ops" },
    });

    await client.deactivateUser(id);
    expect((await client.getUser(id)).active).toBe(false);
    expect(scim.hits.at(-2)).toMatchObject({ method: "PATCH", url: `/scim/v2/Users/${id}` });

    expect(await scimError(client.patchUser(id, [{ op: "replace", path: "id", value: "x" }]))).toMatchObject({
      status: 400,
      scimType: "mutability",
    });
    expect(
      await scimError(
        client.patchUser(id, [{ op: "replace", path: 'emails[type eq "other"].value', value: "x" }]),
      ),
    ).toMatchObject({ status: 400, scimType: "noTarget" });
    expect(await scimError(client.patchUser(id, [{ op: "remove", path: "userName" }]))).toMatchObject({
      status: 400,
      scimType: "invalidValue",
    });
    expect(
      await scimError(client.patchUser("missing", [{ op: "replace", path: "active", value: false }])),
    ).toMatchObject({
      status: 404,
    });
  });

  it("never puts the token in an error, even when the provider echoes it", async () => {
    const wrong = new ScimClient({ baseUrl, token: `${token}-wrong`, fetch: fetchFn });
    const error = await scimError(wrong.getUser("x"));
    expect(error.status).toBe(401);
    expect(error.detail).toBe("Invalid credentials: Bearer [redacted]");
    expect(`${error.message} ${error.stack ?? ""} ${JSON.stringify(error)}`).not.toContain(token);
  });
});

describe("groups", () => {
  it("creates a group, adds and removes members, lists with a filter", async () => {
    const { id: ann = "" } = await client.createUser({ userName: "ann" });
    const { id: bob = "" } = await client.createUser({ userName: "bob" });
    const { id: cat = "" } = await client.createUser({ userName: "cat" });
    const group = await client.createGroup({ displayName: "Engineering", members: [{ value: ann }] });
    const id = group.id ?? "";

    await client.addGroupMembers(id, [bob, cat, ann]);
    expect((await client.getGroup(id)).members?.map((m) => m.value)).toEqual([ann, bob, cat]);
    expect((await client.getUser(bob)).groups).toEqual([
      { value: id, display: "Engineering", type: "direct" },
    ]);

    await client.removeGroupMembers(id, [ann, cat]);
    expect((await client.getGroup(id)).members?.map((m) => m.value)).toEqual([bob]);
    expect(scim.hits.at(-2)?.method).toBe("PATCH");

    // A provider answering PATCH with 204 leaves the client without a body: null, not an error.
    expect(await client.patchGroup(id, [{ op: "replace", path: "displayName", value: "Eng" }])).toBeNull();

    await client.createGroup({ displayName: "Sales" });
    const listed = await client.listGroups({ filter: `members[value eq ${filterString(bob)}]` });
    expect(listed.resources.map((g) => g.displayName)).toEqual(["Eng"]);
    expect((await client.listGroups()).totalResults).toBe(2);
  });

  it("reports a missing group as 404", async () => {
    expect(
      await scimError(client.patchGroup("nope", [{ op: "add", path: "members", value: [{ value: "x" }] }])),
    ).toMatchObject({
      status: 404,
    });
  });
});

describe("transport", () => {
  it("takes the SSRF-guarded fetch; loopback is refused unless the tenant allowlists it", async () => {
    const host = new URL(baseUrl).host;
    const guarded = new ScimClient({ baseUrl, token, fetch: (url, init) => guardedFetch(url, init) });
    await expect(guarded.listUsers()).rejects.toMatchObject({ code: "FORBIDDEN" });
    const allowed = new ScimClient({
      baseUrl,
      token,
      fetch: (url, init) => guardedFetch(url, init, { allowHosts: [host] }),
    });
    await client.createUser({ userName: "ann" });
    expect((await allowed.listUsers()).totalResults).toBe(1);
  });
});

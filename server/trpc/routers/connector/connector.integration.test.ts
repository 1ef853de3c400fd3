/**
 * The Connectors page's API over HTTP (tRPC's fetch adapter and the real router). The router's view of
 * the installed connectors is replaced by test manifests (server/connections/test-manifests.ts), so
 * these tests do not depend on which connectors are registered, and the kernel's connection test by a
 * recording fake (the kernel's own tests cover what it does). Covers roles, tenant isolation by id, bad
 * input (400, fields named, nothing written), that no answer ever carries a credential, config checks,
 * and recent calls read from the audit log.
 */
import { randomBytes } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { appendAudit } from "@/server/kernel/audit/log";
import {
  createTestTenant,
  testDb,
  withOwner,
  type TestTenant,
  type TestUser,
  callAs,
  expectOk,
} from "@/server/testing/fixtures";
import { catalogOutput } from "./catalog.types";
import { connectionView, connectorView } from "./connector.types";
import { recentCallsOutput } from "./recent-calls.types";
import { testConnectionOutput } from "./test-connection.types";

const fake = vi.hoisted(() => ({
  testConnection: vi.fn((_ctx: unknown, _connectionId: string) =>
    Promise.resolve({ ok: true, message: "Signed in to Test HRIS as api-user" }),
  ),
}));

// Only this router's view of the catalog is replaced: the kernel's registry (connectors/index.ts) keeps
// the real one.
vi.mock("./manifests", async () => {
  const { TEST_MANIFESTS } = await import("@/server/connections/test-manifests");
  return { installedManifests: () => TEST_MANIFESTS };
});

vi.mock("@/server/platform/kernel", () => ({ kernel: fake }));

const db = testDb();
let acme: TestTenant;
let globex: TestTenant;
let acmeAdmin: TestUser;
let acmeEmployee: TestUser;
let acmeApprover: TestUser;

beforeAll(async () => {
  acme = await createTestTenant(db, "acme");
  globex = await createTestTenant(db, "globex");
  acmeAdmin = await acme.add("admin");
  acmeEmployee = await acme.add("employee");
  acmeApprover = await acme.add("approver");
});

beforeEach(() => {
  fake.testConnection.mockClear();
});

// ─── Helpers ─────────────────────────────────────────────────────────────────────────────────────

const apiKey = () => `hk_NeverShowThis${randomBytes(10).toString("hex")}`;
const config = { baseUrl: "https://hr.example.com" };

/** What the procedures could write, for one tenant, read as the database owner. */
const written = (tenant: TestTenant) =>
  withOwner(async (c) => {
    const connections = await c.query(
      `SELECT id, name, status, "credentialsHint", config, credentials FROM "Connection" WHERE "tenantId" = $1 ORDER BY id`,
      [tenant.id],
    );
    const audit = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "AuditEntry" WHERE "tenantId" = $1`,
      [tenant.id],
    );
    return { connections: connections.rows, audit: audit.rows[0]?.n };
  });

async function newConnection(tenant: TestTenant, name: string, key = apiKey()) {
  const made = expectOk(
    await callAs(tenant.owner, tenant, "connector.createConnection", {
      connectorId: "test-hris",
      name,
      credentials: { apiKey: key },
      config,
    }),
    connectionView,
  );
  return { ...made, key };
}

// ─── Tests ───────────────────────────────────────────────────────────────────────────────────────

describe("connector router: the catalog", () => {
  it("shows every member the connectors and their actions; an unknown id is not found", async () => {
    for (const user of [acmeEmployee, acmeApprover, acme.owner]) {
      const { connectors } = expectOk(await callAs(user, acme, "connector.catalog"), catalogOutput);
      expect(connectors.map((c) => [c.id, c.category, c.auth.type, c.actions.length])).toEqual([
        ["test-hris", "hr", "api_key", 2],
        ["test-rooms", "facilities", "built-in", 2],
      ]);
    }
    const hris = expectOk(
      await callAs(acmeEmployee, acme, "connector.get", { id: "test-hris" }),
      connectorView,
    );
    expect(hris.auth.credentials.map((f) => [f.name, f.secret, f.required])).toEqual([
      ["apiKey", true, true],
      ["accountId", true, false],
    ]);
    expect(hris.actions.find((a) => a.action === "hr.remote.employee.read")).toMatchObject({
      effect: "read",
      reversible: false,
      scopes: ["employees:read"],
      description: "read an employee in the external HRIS",
    });
    const unknown = await callAs(acmeEmployee, acme, "connector.get", { id: "no-such-connector" });
    expect(unknown.status).toBe(404);
    expect(unknown.error?.message).toBe("Connector not found");
  });
});

describe("connector router: who may manage connections", () => {
  it("refuses members who are not owners or admins every connection procedure, and writes nothing", async () => {
    const { id } = await newConnection(acme, "For roles");
    const before = await written(acme);
    const calls: [string, unknown][] = [
      ["connector.connections", {}],
      [
        "connector.createConnection",
        { connectorId: "test-hris", name: "Mine", credentials: { apiKey: apiKey() }, config },
      ],
      ["connector.updateConfig", { connectionId: id, config: { baseUrl: "https://evil.example" } }],
      ["connector.rotateCredentials", { connectionId: id, credentials: { apiKey: apiKey() } }],
      ["connector.deleteConnection", { connectionId: id }],
      ["connector.testConnection", { connectionId: id }],
      ["connector.recentCalls", { connectorId: "test-hris" }],
    ];
    for (const user of [acmeEmployee, acmeApprover]) {
      for (const [path, input] of calls) {
        const res = await callAs(user, acme, path, input);
        expect(res.status, path).toBe(403);
        expect(res.error?.message).toBe(`Your role (${user.role}) cannot do this`);
        expect(res.data).toBeUndefined();
      }
    }
    expect(fake.testConnection).not.toHaveBeenCalled();
    expect(await written(acme)).toEqual(before);
  });

  it("lets admins manage connections as owners do", async () => {
    const made = expectOk(
      await callAs(acmeAdmin, acme, "connector.createConnection", {
        connectorId: "test-hris",
        name: "Admin's",
        credentials: { apiKey: apiKey() },
        config,
      }),
      connectionView,
    );
    expect(made.createdBy.id).toBe(acmeAdmin.userId);
    const listed = expectOk(
      await callAs(acmeAdmin, acme, "connector.connections", {}),
      z.array(connectionView),
    );
    expect(listed.map((c) => c.id)).toContain(made.id);
    expectOk(
      await callAs(acmeAdmin, acme, "connector.deleteConnection", { connectionId: made.id }),
      z.object({ id: z.string() }),
    );
  });
});

describe("connector router: connections", () => {
  it("creates a connection whose answer, list and later reads never carry the credential", async () => {
    const key = apiKey();
    const res = await callAs(acme.owner, acme, "connector.createConnection", {
      connectorId: "test-hris",
      name: "Workday",
      credentials: { apiKey: key, accountId: "acme-account-7" },
      config: { baseUrl: "https://hr.example.com", region: "eu" },
    });
    const made = expectOk(res, connectionView);
    expect(made).toMatchObject({
      connectorId: "test-hris",
      name: "Workday",
      status: "untested",
      credentialsHint: `••••${key.slice(-4)}`,
      config: { baseUrl: "https://hr.example.com", region: "eu", allowedHosts: [] },
    });
    const answers = [
      res,
      await callAs(acme.owner, acme, "connector.connections", {}),
      await callAs(acme.owner, acme, "connector.connections", { connectorId: "test-hris" }),
      await callAs(acme.owner, acme, "connector.updateConfig", {
        connectionId: made.id,
        config: { baseUrl: "https://hr2.example.com" },
      }),
    ];
    const rotatedKey = apiKey();
    answers.push(
      await callAs(acme.owner, acme, "connector.rotateCredentials", {
        connectionId: made.id,
        credentials: { apiKey: rotatedKey },
      }),
    );
    for (const answer of answers) expect(answer.status).toBe(200);
    const text = JSON.stringify(answers);
    for (const secret of [key, rotatedKey, "acme-account-7"]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(3));
    }
    // Nor the encrypted envelope.
    const envelope = await withOwner(
      async (c) =>
        (
          await c.query<{ credentials: string }>(`SELECT credentials FROM "Connection" WHERE id = $1`, [
            made.id,
          ])
        ).rows[0]?.credentials ?? "",
    );
    expect(envelope).toMatch(/^v1:/);
    expect(text).not.toContain(envelope);
    const listed = expectOk(
      await callAs(acme.owner, acme, "connector.connections", { connectorId: "test-hris" }),
      z.array(connectionView),
    );
    expect(JSON.stringify(listed)).not.toContain(rotatedKey);
    expect(listed.find((c) => c.id === made.id)).toMatchObject({
      credentialsHint: `••••${rotatedKey.slice(-4)}`,
      config: { baseUrl: "https://hr2.example.com", allowedHosts: [] },
    });
  });

  it("tests a connection through the kernel as the signed-in person", async () => {
    const { id } = await newConnection(acme, "To test");
    const result = expectOk(
      await callAs(acmeAdmin, acme, "connector.testConnection", { connectionId: id }),
      testConnectionOutput,
    );
    expect(result).toEqual({ ok: true, message: "Signed in to Test HRIS as api-user" });
    expect(fake.testConnection).toHaveBeenCalledExactlyOnceWith(
      { tenantId: acme.id, principal: { type: "user", userId: acmeAdmin.userId } },
      id,
    );
  });

  it("deletes a connection", async () => {
    const { id } = await newConnection(acme, "To delete");
    expectOk(
      await callAs(acme.owner, acme, "connector.deleteConnection", { connectionId: id }),
      z.object({ id: z.literal(id) }),
    );
    const listed = expectOk(
      await callAs(acme.owner, acme, "connector.connections", {}),
      z.array(connectionView),
    );
    expect(listed.map((c) => c.id)).not.toContain(id);
    const again = await callAs(acme.owner, acme, "connector.deleteConnection", { connectionId: id });
    expect(again.status).toBe(404);
  });
});

describe("connector router: another tenant's connection", () => {
  it("answers not found to a foreign connection id, and leaves the victim's connection as it was", async () => {
    const victim = await newConnection(acme, "Victim");
    const before = await written(acme);
    const attempts: [string, unknown][] = [
      ["connector.updateConfig", { connectionId: victim.id, config: { baseUrl: "https://evil.example" } }],
      ["connector.rotateCredentials", { connectionId: victim.id, credentials: { apiKey: apiKey() } }],
      ["connector.deleteConnection", { connectionId: victim.id }],
      ["connector.testConnection", { connectionId: victim.id }],
    ];
    for (const [path, input] of attempts) {
      const res = await callAs(globex.owner, globex, path, input);
      expect(res.status, path).toBe(404);
      expect(res.error?.message).toBe("Connection not found");
      expect(JSON.stringify(res)).not.toContain(acme.id);
    }
    const theirs = expectOk(
      await callAs(globex.owner, globex, "connector.connections", {}),
      z.array(connectionView),
    );
    expect(theirs.map((c) => c.id)).not.toContain(victim.id);
    expect(fake.testConnection).not.toHaveBeenCalled();
    expect(await written(acme)).toEqual(before);
    // The victim still has it (control).
    expectOk(
      await callAs(acme.owner, acme, "connector.testConnection", { connectionId: victim.id }),
      testConnectionOutput,
    );
  });
});

describe("connector router: bad input", () => {
  it("answers 400 naming the fields at fault, and writes nothing", async () => {
    const { id } = await newConnection(acme, "Bad input target");
    const before = await written(acme);
    const cases: [string, unknown, Record<string, string[]>][] = [
      [
        "connector.createConnection",
        {
          connectorId: "test-hris",
          name: "Broken",
          credentials: { apiKey: "short" },
          config: { baseUrl: "nope", colour: "red" },
        },
        {
          "credentials.apiKey": ["Paste a key that starts with hk_"],
          "config.baseUrl": ["Enter the API's address, e.g. https://hr.example.com"],
          config: ["Unknown setting for this connector: colour"],
        },
      ],
      [
        "connector.createConnection",
        { connectorId: "test-hris", name: "  ", credentials: { apiKey: apiKey() }, config },
        { name: ["Give the connection a name"] },
      ],
      [
        "connector.createConnection",
        { connectorId: "Not An Id", name: "X", credentials: {}, config: {} },
        { connectorId: ["Use a connector id: lowercase letters, digits, '.', '_' or '-'"] },
      ],
      [
        "connector.createConnection",
        { connectorId: "no-such-connector", name: "X", credentials: {}, config: {} },
        { connectorId: ["No installed connector is called no-such-connector"] },
      ],
      [
        "connector.createConnection",
        { connectorId: "test-rooms", name: "X", credentials: {}, config: {} },
        { connectorId: ["Test rooms works on Tenet's own data and takes no connection"] },
      ],
      [
        "connector.createConnection",
        { connectorId: "test-hris", name: "X", credentials: { apiKey: 42 }, config },
        { "credentials.apiKey": ["Enter credentials as text"] },
      ],
      [
        "connector.updateConfig",
        { connectionId: id, config: { baseUrl: "ftp:" } },
        { "config.baseUrl": ["Enter the API's address, e.g. https://hr.example.com"] },
      ],
      [
        "connector.updateConfig",
        { connectionId: id, config: "x" },
        { config: ["Give the settings as fields"] },
      ],
      [
        "connector.rotateCredentials",
        { connectionId: id, credentials: { apiKey: "hk_short" } },
        { "credentials.apiKey": ["Paste a key that starts with hk_"] },
      ],
      [
        "connector.recentCalls",
        { connectorId: "test-hris", limit: 101 },
        { limit: ["Ask for 100 calls or fewer"] },
      ],
      [
        "connector.get",
        { id: "Bad Id" },
        { id: ["Use a connector id: lowercase letters, digits, '.', '_' or '-'"] },
      ],
    ];
    for (const [path, input, fields] of cases) {
      const res = await callAs(acme.owner, acme, path, input);
      expect(res.status, `${path} ${JSON.stringify(input)}`).toBe(400);
      expect(res.error?.data.fieldErrors).toEqual(fields);
    }
    expect(await written(acme)).toEqual(before);
  });
});

describe("connector router: recent calls", () => {
  it("lists the tenant's calls through one connector, newest first, with who, what, outcome and duration", async () => {
    const tenant = await createTestTenant(db, "calls");
    const completed = (
      on: TestTenant,
      connector: string,
      request: string,
      outcome: "succeeded" | "failed",
      extra: Record<string, string | number> = {},
    ) =>
      on.asOwner((ctx) =>
        appendAudit(ctx.db, on.id, {
          actor: { type: "user", id: on.owner.userId, label: "Calls Owner" },
          action: "syscall.completed",
          resource: { type: "employee", id: "e-1", label: "Bob" },
          outcome,
          detail: { syscallId: randomBytes(8).toString("hex"), request, connector, ...extra },
        }),
      );
    await completed(tenant, "test-hris", "read an employee in the external HRIS: Bob", "succeeded", {
      durationMs: 120,
    });
    await completed(tenant, "test-rooms", "book a room: Boardroom", "succeeded");
    await completed(tenant, "test-hris", "create an employee in the external HRIS: Bob", "failed", {
      error: "The HRIS answered 503",
      description: "Create Bob <bob@acme.test>",
      connectionId: "3b0c6a8e-0000-4000-8000-000000000001",
    });
    await completed(globex, "test-hris", "read an employee in the external HRIS: Eve", "succeeded");

    const { calls } = expectOk(
      await callAs(tenant.owner, tenant, "connector.recentCalls", { connectorId: "test-hris" }),
      recentCallsOutput,
    );
    expect(calls).toEqual([
      expect.objectContaining({
        action: "hr.remote.employee.create",
        title: "Create an employee",
        outcome: "failed",
        error: "The HRIS answered 503",
        description: "Create Bob <bob@acme.test>",
        connectionId: "3b0c6a8e-0000-4000-8000-000000000001",
        durationMs: null,
        actor: { type: "user", label: "Calls Owner" },
      }),
      expect.objectContaining({
        action: "hr.remote.employee.read",
        title: "Look up an employee",
        outcome: "succeeded",
        error: null,
        durationMs: 120,
        connectionId: null,
        description: "Calls Owner's request to read an employee in the external HRIS: Bob was carried out",
      }),
    ]);
    expect(calls[0]!.at.getTime()).toBeGreaterThanOrEqual(calls[1]!.at.getTime());
    const one = expectOk(
      await callAs(tenant.owner, tenant, "connector.recentCalls", { connectorId: "test-hris", limit: 1 }),
      recentCallsOutput,
    );
    expect(one.calls.map((c) => c.action)).toEqual(["hr.remote.employee.create"]);
    const unknown = await callAs(tenant.owner, tenant, "connector.recentCalls", { connectorId: "no-such" });
    expect(unknown.status).toBe(404);
  });
});

import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { PrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import {
  createIsolatedDatabase,
  createTestTenant,
  testDb,
  withOwner,
  type TestTenant,
} from "@/server/testing/fixtures";
import type { TenantContext } from "@/server/tenancy/context";
import type { Role } from "@/server/tenancy/roles";
import { connectionSchemasIn } from "./catalog-view";
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  reencryptAll,
  rotateCredentials,
  updateConnectionConfig,
  type CredentialSchema,
} from "./connections";
import { credentialsFor } from "./credentials-for";
import { keyring, type Credentials } from "./crypto";
import { TEST_MANIFESTS } from "./test-manifests";

/** A connector's credential schema, as a manifest will declare it. */
const apiKeySchema: CredentialSchema = z.strictObject({
  apiKey: z.string().regex(/^sk-[A-Za-z0-9-]{16,}$/, "Must start with sk- and be at least 19 characters"),
  account: z.string().min(1).optional(),
});

const distinctive = () => `sk-NeverShowThis-${randomBytes(8).toString("hex")}`;

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

/** Everything in the tenant's audit log and connection rows, every column, as the owner sees it. */
const storedText = (tenantId: string) =>
  withOwner(async (client) => {
    const audit = await client.query<{ row: string }>(
      `SELECT row_to_json(a)::text AS row FROM "AuditEntry" a WHERE "tenantId" = $1`,
      [tenantId],
    );
    const connections = await client.query<{ row: string }>(
      `SELECT row_to_json(c)::text AS row FROM "Connection" c WHERE "tenantId" = $1`,
      [tenantId],
    );
    return { audit: audit.rows.map((r) => r.row), connections: connections.rows.map((r) => r.row) };
  });

const counts = (db: PrismaClient, tenantId: string) =>
  withTenant(db, { tenantId }, async (tx) => ({
    connections: await tx.connection.count({ where: { tenantId } }),
    audit: await tx.auditEntry.count({ where: { tenantId } }),
  }));

function as(db: PrismaClient, tenant: TestTenant, role: Role) {
  return async <T>(fn: (ctx: TenantContext) => Promise<T>): Promise<T> => {
    const member = role === "owner" ? tenant.owner : await tenant.add(role);
    return withTenant(db, { tenantId: tenant.id }, (tx) =>
      fn({
        tenantId: tenant.id,
        actor: { userId: member.userId, membershipId: member.membershipId, role },
        db: tx,
      }),
    );
  };
}

describe("connections", () => {
  const db = testDb();
  let acme: TestTenant;
  let globex: TestTenant;

  beforeAll(async () => {
    acme = await createTestTenant(db, "acme");
    globex = await createTestTenant(db, "globex");
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("creates, lists, rotates and deletes a connection; the tool manager gets the credentials", async () => {
    const first = distinctive();
    const created = await acme.asOwner((ctx) =>
      createConnection(
        ctx,
        { connectorId: "hris-rest", name: "Workday", credentials: { apiKey: first, account: "acme" } },
        apiKeySchema,
      ),
    );
    expect(created).toMatchObject({
      connectorId: "hris-rest",
      name: "Workday",
      status: "untested",
      credentialsHint: `••••${first.slice(-4)}`,
      createdBy: { id: acme.owner.userId },
      lastUsedAt: null,
    });
    expect(await acme.asOwner((ctx) => credentialsFor(sqlOf(ctx.db), ctx.tenantId, created.id))).toEqual({
      apiKey: first,
      account: "acme",
    });
    const used = await acme.asOwner((ctx) => listConnections(ctx));
    expect(used.find((c) => c.id === created.id)?.lastUsedAt).toBeInstanceOf(Date);

    const second = distinctive();
    const rotated = await acme.asOwner((ctx) =>
      rotateCredentials(ctx, created.id, { apiKey: second }, apiKeySchema),
    );
    expect(rotated.credentialsHint).toBe(`••••${second.slice(-4)}`);
    expect(await acme.asOwner((ctx) => credentialsFor(sqlOf(ctx.db), ctx.tenantId, created.id))).toEqual({
      apiKey: second,
    });

    const duplicate = await caught(
      acme.asOwner((ctx) =>
        createConnection(
          ctx,
          { connectorId: "hris-rest", name: "Workday", credentials: { apiKey: distinctive() } },
          apiKeySchema,
        ),
      ),
    );
    expect(duplicate.code).toBe("CONFLICT");

    await acme.asOwner((ctx) => deleteConnection(ctx, created.id));
    expect((await acme.asOwner((ctx) => listConnections(ctx))).map((c) => c.id)).not.toContain(created.id);
    const log = await acme.asOwner((ctx) =>
      ctx.db.auditEntry.findMany({
        where: { tenantId: ctx.tenantId, resourceId: created.id },
        orderBy: { seq: "asc" },
        select: { action: true, detail: true },
      }),
    );
    expect(log).toEqual([
      {
        action: "connection.created",
        detail: { connector: "hris-rest", name: "Workday", hint: `••••${first.slice(-4)}` },
      },
      {
        action: "connection.credentials_rotated",
        detail: {
          connector: "hris-rest",
          name: "Workday",
          from: `••••${first.slice(-4)}`,
          to: `••••${second.slice(-4)}`,
        },
      },
      {
        action: "connection.deleted",
        detail: { connector: "hris-rest", name: "Workday", hint: `••••${second.slice(-4)}` },
      },
    ]);
  });

  it("never lets a secret appear in API results, errors, the audit log, stored rows or console output", async () => {
    const printed: string[] = [];
    for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        printed.push(
          args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : String(a))).join(" "),
        );
      });
    }
    const secrets = [distinctive(), distinctive(), distinctive()];
    const [entered, replaced, refused] = secrets as [string, string, string];
    const results: unknown[] = [];
    const created = await acme.asOwner((ctx) =>
      createConnection(
        ctx,
        { connectorId: "scim", name: "Figma", credentials: { apiKey: entered } },
        apiKeySchema,
      ),
    );
    results.push(created);
    results.push(
      await acme.asOwner((ctx) => rotateCredentials(ctx, created.id, { apiKey: replaced }, apiKeySchema)),
    );
    results.push(await acme.asOwner((ctx) => listConnections(ctx)));
    // Refused input that contains a secret: an unknown field, and a value the schema's regex rejects.
    const quoting: CredentialSchema = z.object({
      apiKey: z
        .string()
        .refine((v) => v.startsWith("pk-"), { error: (issue) => `${String(issue.input)} is not a pk- key` }),
    });
    const errors = [
      await caught(
        acme.asOwner((ctx) =>
          createConnection(
            ctx,
            { connectorId: "scim", name: "Slack", credentials: { apiKey: "sk-short", [refused]: "x" } },
            apiKeySchema,
          ),
        ),
      ),
      await caught(
        acme.asOwner((ctx) =>
          createConnection(
            ctx,
            { connectorId: "scim", name: "Slack", credentials: { apiKey: refused } },
            quoting,
          ),
        ),
      ),
      await caught(
        acme.asOwner((ctx) => rotateCredentials(ctx, created.id, { apiKey: `${refused}!` }, apiKeySchema)),
      ),
    ];
    expect(errors.map((e) => e.code)).toEqual(["BAD_REQUEST", "BAD_REQUEST", "BAD_REQUEST"]);
    expect(errors[0]?.fields).toEqual({
      credentials: ["Unknown field for this connector (1)"],
      "credentials.apiKey": ["Must start with sk- and be at least 19 characters"],
    });
    expect(errors[1]?.message).toBe("credentials.apiKey: [redacted] is not a pk- key");
    await acme.asOwner((ctx) => deleteConnection(ctx, created.id));

    const stored = await storedText(acme.id);
    expect(stored.audit.length).toBeGreaterThan(0);
    const haystacks = {
      results: JSON.stringify(results),
      errors: JSON.stringify(
        errors.map((e) => ({ message: e.message, fields: e.fields, cause: String(e.cause), stack: e.stack })),
      ),
      audit: stored.audit.join("\n"),
      connections: stored.connections.join("\n"),
      console: printed.join("\n"),
    };
    for (const secret of secrets) {
      for (const [where, text] of Object.entries(haystacks)) {
        // Also the secret without its distinctive prefix, in case something trimmed it.
        expect(text.includes(secret) || text.includes(secret.slice(3)), `${where} holds a secret`).toBe(
          false,
        );
      }
    }
  });

  it("refuses bad input with a clear error and writes nothing", async () => {
    const before = await counts(db, acme.id);
    const bad: [string, { connectorId: string; name: string; credentials: Credentials }, string][] = [
      [
        "credentials",
        { connectorId: "scim", name: "Okta", credentials: { apiKey: "nope" } },
        "credentials.apiKey",
      ],
      ["credentials", { connectorId: "scim", name: "Okta", credentials: {} }, "credentials.apiKey"],
      ["name", { connectorId: "scim", name: "  ", credentials: { apiKey: distinctive() } }, "name"],
      [
        "connector",
        { connectorId: "Not An Id", name: "Okta", credentials: { apiKey: distinctive() } },
        "connectorId",
      ],
    ];
    for (const [, input, field] of bad) {
      const error = await caught(acme.asOwner((ctx) => createConnection(ctx, input, apiKeySchema)));
      expect(error.code).toBe("BAD_REQUEST");
      expect(Object.keys(error.fields ?? {})).toContain(field);
      expect(error.message).toContain(`${field}: `);
    }
    expect(await counts(db, acme.id)).toEqual(before);
  });

  it("lets only owners and admins manage connections", async () => {
    const input = { connectorId: "scim", name: "Admin's", credentials: { apiKey: distinctive() } };
    const made = await as(db, acme, "admin")((ctx) => createConnection(ctx, input, apiKeySchema));
    expect(made.name).toBe("Admin's");
    for (const role of ["approver", "employee", "publisher"] as const) {
      const run = as(db, acme, role);
      expect((await caught(run((ctx) => listConnections(ctx)))).code).toBe("FORBIDDEN");
      expect(
        (await caught(run((ctx) => createConnection(ctx, { ...input, name: role }, apiKeySchema)))).code,
      ).toBe("FORBIDDEN");
      expect((await caught(run((ctx) => deleteConnection(ctx, made.id)))).code).toBe("FORBIDDEN");
    }
  });

  it("treats another tenant's connection as not found, and leaves it unchanged", async () => {
    const victimSecret = distinctive();
    const victim = await acme.asOwner((ctx) =>
      createConnection(
        ctx,
        { connectorId: "scim", name: "Victim", credentials: { apiKey: victimSecret } },
        apiKeySchema,
      ),
    );
    const attempts = [
      () =>
        globex.asOwner((ctx) => rotateCredentials(ctx, victim.id, { apiKey: distinctive() }, apiKeySchema)),
      () => globex.asOwner((ctx) => deleteConnection(ctx, victim.id)),
      () => globex.asOwner((ctx) => credentialsFor(sqlOf(ctx.db), ctx.tenantId, victim.id)),
      // Naming the victim's tenant does not help: RLS scopes the transaction to Globex.
      () => globex.asOwner((ctx) => credentialsFor(sqlOf(ctx.db), acme.id, victim.id)),
      () => globex.asOwner((ctx) => deleteConnection(ctx, "not-a-uuid")),
    ];
    for (const attempt of attempts) {
      const error = await caught(attempt());
      expect(error.code).toBe("NOT_FOUND");
      expect(error.message).toBe("Connection not found");
    }
    expect((await globex.asOwner((ctx) => listConnections(ctx))).map((c) => c.id)).not.toContain(victim.id);
    expect(await acme.asOwner((ctx) => credentialsFor(sqlOf(ctx.db), ctx.tenantId, victim.id))).toEqual({
      apiKey: victimSecret,
    });
  });

  it("refuses an envelope copied into another connection's row", async () => {
    const [a, b] = await acme.asOwner(async (ctx) => [
      await createConnection(
        ctx,
        { connectorId: "scim", name: "A", credentials: { apiKey: distinctive() } },
        apiKeySchema,
      ),
      await createConnection(
        ctx,
        { connectorId: "scim", name: "B", credentials: { apiKey: distinctive() } },
        apiKeySchema,
      ),
    ]);
    await withOwner((client) =>
      client.query(
        `UPDATE "Connection" SET credentials = (SELECT credentials FROM "Connection" WHERE id = $1) WHERE id = $2`,
        [a.id, b.id],
      ),
    );
    const error = await caught(acme.asOwner((ctx) => credentialsFor(sqlOf(ctx.db), ctx.tenantId, b.id)));
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toMatch(/failed authentication/);
  });
});

describe("connection settings (config)", () => {
  const db = testDb();
  const schemas = connectionSchemasIn(TEST_MANIFESTS);
  const hrisKey = () => `hk_${randomBytes(12).toString("hex")}`;
  let acme: TestTenant;
  let globex: TestTenant;

  beforeAll(async () => {
    acme = await createTestTenant(db, "acme");
    globex = await createTestTenant(db, "globex");
  });

  it("checks settings with the manifest's config schema, stores them with defaults, and shows them", async () => {
    const key = hrisKey();
    const created = await acme.asOwner((ctx) =>
      createConnection(
        ctx,
        {
          connectorId: "test-hris",
          name: "HR",
          credentials: { apiKey: key },
          config: { baseUrl: "https://hr.example.com" },
        },
        schemas,
      ),
    );
    expect(created.config).toEqual({ baseUrl: "https://hr.example.com", allowedHosts: [] });
    expect(JSON.stringify(created)).not.toContain(key);
    expect(
      (await acme.asOwner((ctx) => listConnections(ctx, { connectorId: "test-hris" })))[0]?.config,
    ).toEqual(created.config);
    expect(await acme.asOwner((ctx) => listConnections(ctx, { connectorId: "test-rooms" }))).toEqual([]);

    // Once tested, a change of settings makes the connection untested again; the change is audited.
    await withOwner((c) => c.query(`UPDATE "Connection" SET status = 'working' WHERE id = $1`, [created.id]));
    const next = { baseUrl: "https://hr2.example.com", allowedHosts: ["hr.internal"], region: "eu" };
    const updated = await acme.asOwner((ctx) => updateConnectionConfig(ctx, created.id, next, schemas));
    expect(updated).toMatchObject({
      config: next,
      status: "untested",
      credentialsHint: created.credentialsHint,
    });
    expect(await acme.asOwner((ctx) => getConnection(ctx, created.id))).toEqual(updated);
    const entries = await acme.asOwner((ctx) =>
      ctx.db.auditEntry.findMany({
        where: { tenantId: ctx.tenantId, action: "connection.config_updated", resourceId: created.id },
        select: { detail: true },
      }),
    );
    expect(entries).toEqual([
      {
        detail: {
          connector: "test-hris",
          name: "HR",
          from: { baseUrl: "https://hr.example.com", allowedHosts: [] },
          to: next,
        },
      },
    ]);

    // The same settings again: nothing written, nothing recorded.
    const before = await counts(db, acme.id);
    const same = await acme.asOwner((ctx) => updateConnectionConfig(ctx, created.id, { ...next }, schemas));
    expect(same.updatedAt).toEqual(updated.updatedAt);
    expect(await counts(db, acme.id)).toEqual(before);
  });

  it("refuses bad settings with every field at fault, together with bad credentials, and writes nothing", async () => {
    const made = await acme.asOwner((ctx) =>
      createConnection(
        ctx,
        {
          connectorId: "test-hris",
          name: "Valid",
          credentials: { apiKey: hrisKey() },
          config: { baseUrl: "https://hr.example.com" },
        },
        schemas,
      ),
    );
    const before = await counts(db, acme.id);
    const both = await caught(
      acme.asOwner((ctx) =>
        createConnection(
          ctx,
          {
            connectorId: "test-hris",
            name: "Broken",
            credentials: { apiKey: "nope" },
            config: { baseUrl: "not a url", region: "mars", colour: "red" },
          },
          schemas,
        ),
      ),
    );
    expect(both.code).toBe("BAD_REQUEST");
    expect(both.fields).toEqual({
      "credentials.apiKey": ["Paste a key that starts with hk_"],
      "config.baseUrl": ["Enter the API's address, e.g. https://hr.example.com"],
      "config.region": ['Invalid option: expected one of "eu"|"us"'],
      config: ["Unknown setting for this connector: colour"],
    });
    const missing = await caught(
      acme.asOwner((ctx) =>
        createConnection(
          ctx,
          { connectorId: "test-hris", name: "No config", credentials: { apiKey: hrisKey() } },
          schemas,
        ),
      ),
    );
    expect(Object.keys(missing.fields ?? {})).toEqual(["config.baseUrl"]);
    const update = await caught(
      acme.asOwner((ctx) => updateConnectionConfig(ctx, made.id, { baseUrl: 42 }, schemas)),
    );
    expect(update.fields).toEqual({
      "config.baseUrl": ["Enter the API's address, e.g. https://hr.example.com"],
    });
    const builtIn = await caught(
      acme.asOwner((ctx) =>
        createConnection(ctx, { connectorId: "test-rooms", name: "Rooms", credentials: {} }, schemas),
      ),
    );
    expect(builtIn.fields).toEqual({
      connectorId: ["Test rooms works on Tenet's own data and takes no connection"],
    });
    // A connector with no settings (a credential schema alone) takes none.
    const noSettings = await caught(
      acme.asOwner((ctx) =>
        createConnection(
          ctx,
          { connectorId: "scim", name: "Extra", credentials: { apiKey: distinctive() }, config: { x: 1 } },
          apiKeySchema,
        ),
      ),
    );
    expect(noSettings.fields).toEqual({ config: ["Unknown setting for this connector: x"] });
    expect(await counts(db, acme.id)).toEqual(before);
  });

  it("treats another tenant's connection as not found when its settings are changed or read", async () => {
    const victim = await acme.asOwner((ctx) =>
      createConnection(
        ctx,
        {
          connectorId: "test-hris",
          name: "Victim",
          credentials: { apiKey: hrisKey() },
          config: { baseUrl: "https://hr.example.com" },
        },
        schemas,
      ),
    );
    for (const attempt of [
      () =>
        globex.asOwner((ctx) =>
          updateConnectionConfig(ctx, victim.id, { baseUrl: "https://evil.example" }, schemas),
        ),
      () => globex.asOwner((ctx) => getConnection(ctx, victim.id)),
    ]) {
      const error = await caught(attempt());
      expect(error.code).toBe("NOT_FOUND");
    }
    expect((await acme.asOwner((ctx) => getConnection(ctx, victim.id))).config).toEqual(victim.config);
    const employee = as(db, acme, "employee");
    expect((await caught(employee((ctx) => updateConnectionConfig(ctx, victim.id, {}, schemas)))).code).toBe(
      "FORBIDDEN",
    );
  });
});

describe("key rotation (reencryptAll)", () => {
  let isolated: Awaited<ReturnType<typeof createIsolatedDatabase>>;
  beforeAll(async () => {
    isolated = await createIsolatedDatabase();
  });
  afterAll(async () => {
    await isolated.close();
  });

  it("moves every connection of every tenant to the current key, once; old keys still decrypt meanwhile", async () => {
    const { db } = isolated;
    const k1 = { id: "k1", key: randomBytes(32) };
    const k2 = { id: "k2", key: randomBytes(32) };
    const before = keyring([k1]);
    const tenants = [await createTestTenant(db, "acme"), await createTestTenant(db, "globex")];
    const secrets = new Map<string, { tenantId: string; apiKey: string }>();
    for (const tenant of tenants) {
      for (const name of ["One", "Two"]) {
        const apiKey = distinctive();
        const made = await tenant.asOwner((ctx) =>
          createConnection(ctx, { connectorId: "scim", name, credentials: { apiKey } }, apiKeySchema, before),
        );
        secrets.set(made.id, { tenantId: tenant.id, apiKey });
      }
    }
    const keyIds = () =>
      withOwner(
        async (client) =>
          (await client.query<{ keyId: string }>(`SELECT "keyId" FROM "Connection"`)).rows.map(
            (r) => r.keyId,
          ),
        isolated.ownerUrl,
      );
    const read = (ring: ReturnType<typeof keyring>) =>
      Promise.all(
        [...secrets].map(([id, { tenantId }]) =>
          withTenant(db, { tenantId }, (tx) => credentialsFor(sqlOf(tx), tenantId, id, ring)),
        ),
      );
    const expected = [...secrets.values()].map(({ apiKey }) => ({ apiKey }));

    const rotated = keyring([k2, k1]);
    // Before re-encryption, the new keyring still reads everything written under the old key.
    expect(await read(rotated)).toEqual(expected);
    const logged: string[] = [];
    const first = await reencryptAll(db, rotated, (line) => logged.push(line));
    expect(first).toEqual({ current: "k2", tenants: 2, reencrypted: 4, failed: [] });
    expect(logged).toHaveLength(2);
    expect(await keyIds()).toEqual(["k2", "k2", "k2", "k2"]);
    // Once moved, the old key can go.
    expect(await read(keyring([k2]))).toEqual(expected);
    expect(await reencryptAll(db, rotated)).toEqual({
      current: "k2",
      tenants: 0,
      reencrypted: 0,
      failed: [],
    });

    const audited = await withTenant(db, { tenantId: tenants[0]!.id }, (tx) =>
      tx.auditEntry.findMany({
        where: { action: "connection.reencrypted" },
        select: { actorType: true, detail: true },
      }),
    );
    expect(audited).toEqual([{ actorType: "system", detail: { count: 2, from: ["k1"], to: "k2" } }]);

    // A connection under a key the keyring no longer holds is reported and left alone; the rest move on.
    const k3 = { id: "k3", key: randomBytes(32) };
    const third = await reencryptAll(db, keyring([k3]));
    expect(third.reencrypted).toBe(0);
    expect(third.failed).toHaveLength(4);
    expect(third.failed[0]?.error).toMatch(/encrypted under key k2, which CREDENTIALS_KEYS no longer holds/);
    expect(await keyIds()).toEqual(["k2", "k2", "k2", "k2"]);

    // What rotation logged and audited names keys and connections, never their contents.
    logged.push(...third.failed.map((f) => f.error));
    const audit = await withOwner(
      async (client) =>
        (await client.query<{ row: string }>(`SELECT row_to_json(a)::text AS row FROM "AuditEntry" a`)).rows,
      isolated.ownerUrl,
    );
    const text = [...logged, ...audit.map((r) => r.row)].join("\n");
    for (const { apiKey } of secrets.values()) expect(text).not.toContain(apiKey);
  });
});

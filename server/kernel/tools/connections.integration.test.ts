/**
 * What a connector action gets from the kernel, on a real database: built-in connectors get the
 * tenant's row-level-security transaction and no connection; the others the syscall's connection
 * (only a connection of this tenant, to this connector), config and credentials for that call. Then
 * kernel.preview (a dry run that physically cannot write, the decision `call` would make, one audit
 * entry), kernel.testConnection (status and audit), and connector pools created with the manifest's
 * rate limits.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createConnection } from "@/server/connections/connections";
import { withTenant } from "@/server/db/scope";
import { AppError } from "@/server/errors";
import { AccessEvaluator } from "@/server/kernel/access/evaluator";
import { describeAuditEntry } from "@/server/kernel/audit/sentence";
import { getPool } from "@/server/kernel/scheduler/pools";
import {
  createTestTenant,
  kernelDeps,
  testDb,
  unique,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { Kernel, type KernelContext, type Syscall } from "../kernel";
import { createToolRegistry, defineTool, type ToolCallContext } from "./registry";

const seen: { action: string; connection: ToolCallContext["connection"]; tenantSetting?: string }[] = [];

const directorySchemas = {
  credentials: z.object({ apiKey: z.string() }),
  config: z.object({ baseUrl: z.string() }),
};

/** Who each connection test acted for. */
const testedBy: ToolCallContext["actor"][] = [];
const baseUrlOf = (ctx: ToolCallContext) => z.string().parse(ctx.connection?.config.baseUrl);

/** The tenant the transaction given to a driver is scoped to. */
const tenantSetting = (ctx: ToolCallContext) =>
  ctx.tenant(async (tx) => {
    const [row] = await tx.$queryRaw<{ tenant: string }[]>`SELECT current_setting('app.tenant_id') AS tenant`;
    return row?.tenant ?? "";
  });

const tools = createToolRegistry(
  [
    defineTool({
      action: "facilities.desk.book",
      connector: "kt-desks",
      effect: "write",
      input: z.object({ deskId: z.string(), write: z.boolean().default(false) }),
      output: z.object({ bookingId: z.string() }),
      timeoutMs: 5_000,
      describe: (input) => `Book desk ${input.deskId}`,
      run: async (input, ctx) => {
        seen.push({
          action: "facilities.desk.book",
          connection: ctx.connection,
          tenantSetting: await tenantSetting(ctx),
        });
        return { bookingId: `b-${input.deskId}` };
      },
      dryRun: async (input, ctx) => {
        // Reads work in a dry run (and see this tenant only); a write is refused by PostgreSQL itself.
        const connections = await ctx.tenant((tx) => tx.connection.count());
        if (input.write)
          await ctx.tenant((tx) => tx.$executeRaw`UPDATE "Connection" SET "lastUsedAt" = now()`);
        return {
          changes: [
            {
              op: "create",
              object: `booking of desk ${input.deskId}`,
              fields: { desk: { to: input.deskId } },
            },
          ],
          warnings: [`${connections} connections seen`],
        };
      },
    }),
    defineTool({
      action: "it.account.read",
      connector: "kt-directory",
      effect: "read",
      needsConnection: true,
      input: z.object({ email: z.string() }),
      output: z.object({ found: z.boolean(), baseUrl: z.string() }),
      timeoutMs: 5_000,
      describe: (input) => `Look up ${input.email}`,
      run: (_input, ctx) => {
        seen.push({ action: "it.account.read", connection: ctx.connection });
        return Promise.resolve({ found: true, baseUrl: baseUrlOf(ctx) });
      },
    }),
    defineTool({
      action: "hr.employee.offboard",
      connector: "kt-directory",
      effect: "destructive",
      needsConnection: true,
      input: z.object({ email: z.string() }),
      output: z.object({ offboarded: z.boolean() }),
      timeoutMs: 5_000,
      describe: (input) => `Offboard ${input.email}`,
      run: () => Promise.resolve({ offboarded: true }),
      dryRun: (input, ctx) =>
        Promise.resolve({
          changes: [{ op: "delete", object: `account ${input.email} at ${baseUrlOf(ctx)}` }],
          warnings: [],
        }),
    }),
  ],
  [
    {
      id: "kt-directory",
      rateLimits: { concurrency: 3, requestsPerMinute: 120, tenantRequestsPerMinute: 30 },
      test: (ctx) => {
        testedBy.push(ctx.actor);
        if (ctx.connection?.config.baseUrl === "https://down.example") throw new Error("Connection refused");
        return Promise.resolve(`Signed in to ${baseUrlOf(ctx)}`);
      },
    },
  ],
);

const kernel = new Kernel({ db: testDb, tools, evaluator: new AccessEvaluator(), ...kernelDeps() });

let acme: TestTenant;
let globex: TestTenant;
let employee: TestUser;
let directoryConnection: string;
let downConnection: string;
let otherConnectorConnection: string;
let globexConnection: string;

const asOwner = (tenant: TestTenant): KernelContext => ({
  tenantId: tenant.id,
  principal: { type: "user", userId: tenant.owner.userId },
});

const connect = (tenant: TestTenant, connectorId: string, baseUrl: string) =>
  tenant.asOwner(async (ctx) => {
    const view = await createConnection(
      ctx,
      { connectorId, name: unique("conn"), credentials: { apiKey: unique("key") }, config: { baseUrl } },
      directorySchemas,
    );
    return view.id;
  });

const lookup = (connectionId?: string): Syscall => ({
  action: "it.account.read",
  resource: { type: "AppAccess", id: "bob", attrs: { userId: "bob", app: "directory" } },
  input: { email: "bob@acme.example" },
  ...(connectionId && { connectionId }),
});
const bookDesk = (input: unknown): Syscall => ({
  action: "facilities.desk.book",
  resource: { type: "Desk", id: "d-1", attrs: {} },
  resourceLabel: "Desk 1",
  input,
});
const offboard = (connectionId: string): Syscall => ({
  action: "hr.employee.offboard",
  resource: { type: "Employee", id: "e-1", attrs: { userId: employee.userId } },
  input: { email: "leaver@acme.example" },
  connectionId,
});

const audit = (tenant: TestTenant) =>
  withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    tx.auditEntry.findMany({ where: { tenantId: tenant.id }, orderBy: { seq: "asc" } }),
  );
const connectionRow = (tenant: TestTenant, id: string) =>
  withTenant(testDb(), { tenantId: tenant.id }, (tx) => tx.connection.findUniqueOrThrow({ where: { id } }));

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  employee = await acme.add("employee");
  directoryConnection = await connect(acme, "kt-directory", "https://dir.example");
  downConnection = await connect(acme, "kt-directory", "https://down.example");
  otherConnectorConnection = await connect(acme, "kt-other", "https://other.example");
  globexConnection = await connect(globex, "kt-directory", "https://globex.example");
});

describe("what a driver gets", () => {
  it("a built-in connector: the tenant's own transaction and no connection; the description is audited", async () => {
    const result = await kernel.call(asOwner(acme), bookDesk({ deskId: "d-1" }));
    expect(result).toMatchObject({ status: "succeeded", output: { bookingId: "b-d-1" } });
    expect(seen.at(-1)).toEqual({ action: "facilities.desk.book", connection: null, tenantSetting: acme.id });
    const completed = (await audit(acme)).at(-1);
    expect(completed).toMatchObject({ action: "syscall.completed" });
    expect(completed?.detail).toMatchObject({ syscallId: result.syscallId, description: "Book desk d-1" });
    expect(describeAuditEntry({ ...completed!, detail: completed!.detail })).toContain(
      "was carried out: Book desk d-1",
    );
  });

  it("another connector: the syscall's connection of this tenant, with its config and credentials", async () => {
    const result = await kernel.call(asOwner(acme), lookup(directoryConnection));
    expect(result).toMatchObject({
      status: "succeeded",
      output: { found: true, baseUrl: "https://dir.example" },
    });
    expect(seen.at(-1)?.connection).toEqual({
      id: directoryConnection,
      config: { baseUrl: "https://dir.example" },
      credentials: { apiKey: expect.stringMatching(/^key-/) as string },
    });
    expect((await connectionRow(acme, directoryConnection)).lastUsedAt).not.toBeNull();
  });

  it.each([
    ["no connection", undefined, "it.account.read: Choose a kt-directory connection"],
    ["another tenant's", "globex", "not found"],
    ["a malformed id", "not-a-uuid", "Connection not-a-uuid not found"],
    ["another connector's", "other", "is a kt-other connection; choose a kt-directory connection"],
  ])("fails with %s, and the driver is not called", async (_case, which, error) => {
    const before = seen.length;
    const id = which === "globex" ? globexConnection : which === "other" ? otherConnectorConnection : which;
    const result = await kernel.call(asOwner(acme), lookup(id));
    expect(result).toMatchObject({ status: "failed", error: expect.stringContaining(error) as string });
    expect(seen.length).toBe(before);
  });
});

describe("kernel.preview", () => {
  it("refuses an invalid input with BAD_REQUEST naming the problem, and writes nothing", async () => {
    const before = (await audit(acme)).length;
    const error = await kernel.preview(asOwner(acme), bookDesk({ deskId: 7 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "BAD_REQUEST", fields: { "input.deskId": [expect.any(String)] } });
    expect((error as AppError).message).toContain("Invalid input for facilities.desk.book");
    expect((await audit(acme)).length).toBe(before);
  });

  it("shows a write's changes from a dry run that reads but cannot write, and audits the plan", async () => {
    const preview = await kernel.preview(asOwner(acme), bookDesk({ deskId: "d-2" }));
    expect(preview).toEqual({
      syscallId: expect.any(String) as string,
      action: "facilities.desk.book",
      connector: "kt-desks",
      effect: "write",
      reversible: false,
      compensation: null,
      description: "Book desk d-2",
      changes: [{ op: "create", object: "booking of desk d-2", fields: { desk: { to: "d-2" } } }],
      warnings: ["3 connections seen"],
      decision: { decision: "allow", reasons: ["book-spaces"] },
    });
    const entry = (await audit(acme)).at(-1);
    expect(entry).toMatchObject({
      action: "syscall.previewed",
      outcome: "allowed",
      reasons: ["book-spaces"],
    });
    expect(entry?.detail).toMatchObject({
      syscallId: preview.syscallId,
      description: "Book desk d-2",
      changes: 1,
      decision: "allow",
    });
    expect(describeAuditEntry({ ...entry!, detail: entry!.detail })).toBe(
      "acme owner previewed a request to book a desk: Desk 1 (Book desk d-2; 1 change): it would be allowed under policy book-spaces",
    );

    const stamps = async () =>
      withTenant(testDb(), { tenantId: acme.id }, (tx) =>
        tx.connection.findMany({ select: { id: true, lastUsedAt: true }, orderBy: { id: "asc" } }),
      );
    const before = await stamps();
    const writing = await kernel.preview(asOwner(acme), bookDesk({ deskId: "d-3", write: true }));
    expect(writing.changes).toEqual([]);
    expect(writing.warnings).toEqual([expect.stringContaining("read-only transaction") as string]);
    expect(await stamps()).toEqual(before);
  });

  it("runs a dry run with the connection, and says who must approve", async () => {
    const preview = await kernel.preview(asOwner(acme), offboard(directoryConnection));
    expect(preview).toMatchObject({
      effect: "destructive",
      changes: [{ op: "delete", object: "account leaver@acme.example at https://dir.example" }],
      decision: {
        decision: "require-approval",
        approvers: ["role:admin"],
        reasons: ["destructive-needs-admin"],
      },
    });
    await expect(kernel.preview(asOwner(acme), offboard(globexConnection))).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("gives a read no changes, and a denied syscall no dry run", async () => {
    const read = await kernel.preview(asOwner(acme), lookup(directoryConnection));
    expect(read).toMatchObject({
      effect: "read",
      changes: [],
      warnings: [],
      decision: { decision: "allow" },
    });
    // Approving one's own offboarding is refused before any policy: a denial, so no dry run.
    const denied = await kernel.preview(
      { tenantId: acme.id, principal: { type: "user", userId: employee.userId } },
      { ...offboard(directoryConnection), approvals: [{ approver: "role:admin", userId: employee.userId }] },
    );
    expect(denied).toMatchObject({
      changes: [],
      warnings: [],
      decision: { decision: "deny", reasons: ["invalid-approval"] },
    });
    expect((await audit(acme)).at(-1)).toMatchObject({ action: "syscall.previewed", outcome: "denied" });
  });
});

describe("kernel.testConnection", () => {
  it("records whether the connection works, in its status and the audit log", async () => {
    expect(await kernel.testConnection(asOwnerUser(acme), directoryConnection)).toEqual({
      ok: true,
      message: "Signed in to https://dir.example",
    });
    expect(testedBy.at(-1)).toEqual({ userId: acme.owner.userId, agentId: null, label: "acme owner" });
    expect((await connectionRow(acme, directoryConnection)).status).toBe("working");
    expect(await kernel.testConnection(asOwnerUser(acme), downConnection)).toEqual({
      ok: false,
      message: "Connection refused",
    });
    expect((await connectionRow(acme, downConnection)).status).toBe("failing");
    const entry = (await audit(acme)).at(-1);
    expect(entry).toMatchObject({
      action: "connection.tested",
      outcome: "failed",
      resourceId: downConnection,
    });
    expect(describeAuditEntry({ ...entry!, detail: entry!.detail })).toMatch(
      /^acme owner tested the kt-directory connection conn-\w+: it does not work \(Connection refused\)$/,
    );
  });

  it("finds no other tenant's connection, and refuses a connector without a test", async () => {
    await expect(kernel.testConnection(asOwnerUser(acme), globexConnection)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(kernel.testConnection(asOwnerUser(acme), otherConnectorConnection)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "The kt-other connector is not installed",
    });
  });
});

describe("connector pools", () => {
  it("are created with the limits the connector declares", async () => {
    const pool = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      getPool(tx, "connector:kt-directory"),
    );
    expect(pool).toMatchObject({ concurrency: 3, requestsPerMinute: 120, tenantRequestsPerMinute: 30 });
    const desks = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      getPool(tx, "connector:kt-desks"),
    );
    expect(desks).toMatchObject({ concurrency: 32, requestsPerMinute: null });
  });
});

function asOwnerUser(tenant: TestTenant) {
  return { tenantId: tenant.id, principal: { type: "user" as const, userId: tenant.owner.userId } };
}

import { randomBytes } from "node:crypto";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import pg from "pg";
import superjson from "superjson";
import { afterAll, expect, inject } from "vitest";
import type { z } from "zod";
import { signUp } from "@/server/auth/sign-up";
import { createUserWithPassword } from "@/server/auth/users";
import { createPrismaClient, poolOf, type PrismaClient } from "@/server/db/client";
import { LocalProvider, type ModelProvider } from "@/server/kernel/models";
import { Scheduler } from "@/server/kernel/scheduler/scheduler";
import { databaseUrl, dropDatabase, ensureDatabase } from "@/server/db/embedded";
import { migrate } from "@/server/db/migrate";
import { withTenant } from "@/server/db/scope";
import { createGrant, requestGrant } from "@/server/kernel/access/grant-admin";
import { registerAgent } from "@/server/kernel/access/agents";
import { addMember } from "@/server/tenancy/members";
import type { TenantContext } from "@/server/tenancy/context";
import type { Role } from "@/server/tenancy/roles";
import { tenantForUser } from "@/server/tenancy/tenants";
import { appRouter, createCaller } from "@/server/trpc/root";
import type { Context } from "@/server/trpc/trpc";

/** Shared by the integration tests of one file: the app role's client, closed after the file. */
let appDb: PrismaClient | undefined;
export function testDb(): PrismaClient {
  appDb ??= createPrismaClient(inject("appUrl"), { max: 4 });
  return appDb;
}
// Registered when a test file imports this module, so it belongs to that file's root suite.
afterAll(async () => {
  await appDb?.$disconnect();
});

/** One scheduler per client (an "app process"), stopped after the file. */
const schedulers = new Map<PrismaClient, Scheduler>();
afterAll(async () => {
  for (const scheduler of schedulers.values()) await scheduler.stop();
  schedulers.clear();
});

/**
 * What a test Kernel needs besides its database: that client's scheduler (one per client, as one per
 * app process) and the deterministic local model.
 */
export function kernelDeps(db: () => PrismaClient = testDb): {
  scheduler: () => Scheduler;
  models: () => ModelProvider;
} {
  const models = new LocalProvider();
  return {
    scheduler: () => {
      const client = db();
      let scheduler = schedulers.get(client);
      if (!scheduler) schedulers.set(client, (scheduler = new Scheduler({ pool: poolOf(client) })));
      return scheduler;
    },
    models: () => models,
  };
}

/** The owner's connection, for inspecting the catalog and counting rows behind RLS. */
export async function withOwner<T>(
  fn: (client: pg.Client) => Promise<T>,
  url = inject("ownerUrl"),
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A database of the test's own, migrated, for tests that must see every write (row counts): the
 * shared test database is written by other test files at the same time. Call `close` in afterAll.
 */
export async function createIsolatedDatabase(): Promise<{
  db: PrismaClient;
  ownerUrl: string;
  close: () => Promise<void>;
}> {
  const name = `tenet_iso_${randomBytes(4).toString("hex")}`;
  await ensureDatabase(inject("serverUrl"), name);
  const ownerUrl = databaseUrl(inject("serverUrl"), name);
  await migrate(ownerUrl);
  const appUrl = new URL(inject("appUrl"));
  appUrl.pathname = `/${name}`;
  const db = createPrismaClient(appUrl.toString(), { max: 2 });
  const close = async () => {
    await db.$disconnect();
    // Prisma leaves the adapter's pool open; an idle connection that DROP … WITH (FORCE) terminates would
    // otherwise surface as an unhandled error when a test file ends within the pool's idle timeout.
    await poolOf(db).end();
    await dropDatabase(inject("serverUrl"), name);
  };
  return { db, ownerUrl, close };
}

export const PASSWORD = "correct horse battery";
export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

export type TestUser = { userId: string; email: string; membershipId: string; role: Role };
export type TestTenant = {
  id: string;
  slug: string;
  name: string;
  owner: TestUser;
  add: (role: Role) => Promise<TestUser>;
  /** Runs `fn` as the tenant's owner, in one tenant-scoped transaction, like a tRPC handler. */
  asOwner: <T>(fn: (ctx: TenantContext) => Promise<T>) => Promise<T>;
};

export type TestAccess = { agentId: string; grantId: string; requestId: string; actingFor: TestUser };

/**
 * An agent in the tenant with one live grant (book rooms, 7 days) and one pending expansion request
 * (offboarding, acting for a new employee), created through the same domain functions the API uses.
 */
export async function createTestAccess(db: PrismaClient, tenant: TestTenant): Promise<TestAccess> {
  const actingFor = await tenant.add("employee");
  return tenant.asOwner(async (ctx) => {
    const { id: agentId } = await registerAgent(ctx, {
      name: `${tenant.name} helper`,
      skillId: "facilities-helper",
      skillName: "Facilities helper",
      skillVersion: "1.0.0",
      publisher: "Tenet Labs",
    });
    const grant = await createGrant(ctx, {
      agentId,
      actions: ["facilities.room.book"],
      resource: null,
      expiresAt: new Date(Date.now() + 7 * 24 * 3600_000),
      reason: "Books rooms for the team",
    });
    const request = await requestGrant(ctx.db, tenant.id, {
      agentId,
      actingForUserId: actingFor.userId,
      actions: ["hr.employee.offboard"],
      resource: null,
      durationMinutes: 60,
      reason: "Offboard a leaver",
    });
    return { agentId, grantId: grant.id, requestId: request.id, actingFor };
  });
}

/** A tenant with its owner, created through sign-up; `add(role)` adds a member with that role. */
export async function createTestTenant(db: PrismaClient, label = "acme"): Promise<TestTenant> {
  const slug = unique(label);
  const email = `owner@${slug}.test`;
  const { userId } = await signUp(db, {
    name: `${label} owner`,
    email,
    password: PASSWORD,
    tenantName: label,
    tenantSlug: slug,
  });
  const tenant = await tenantForUser(db, userId, slug);
  if (!tenant) throw new Error("fixture: tenant not visible to its owner");
  const membershipOf = (uid: string) =>
    withTenant(db, { tenantId: tenant.id }, (tx) =>
      tx.membership.findUniqueOrThrow({ where: { tenantId_userId: { tenantId: tenant.id, userId: uid } } }),
    );
  const owner: TestUser = { userId, email, membershipId: (await membershipOf(userId)).id, role: "owner" };
  const add = async (role: Role): Promise<TestUser> => {
    const memberEmail = `${unique(role)}@${slug}.test`;
    return withTenant(db, { tenantId: tenant.id }, async (tx) => {
      const user = await createUserWithPassword(tx, {
        email: memberEmail,
        name: `${label} ${role}`,
        password: PASSWORD,
      });
      const membership = await addMember(tx, tenant.id, user.id, role);
      return { userId: user.id, email: memberEmail, membershipId: membership.id, role };
    });
  };
  const asOwner = <T>(fn: (ctx: TenantContext) => Promise<T>) =>
    withTenant(db, { tenantId: tenant.id }, (tx) =>
      fn({
        tenantId: tenant.id,
        actor: { userId: owner.userId, membershipId: owner.membershipId, role: "owner" },
        db: tx,
      }),
    );
  return { id: tenant.id, slug, name: label, owner, add, asOwner };
}

export function contextFor(
  db: PrismaClient,
  userId: string | null,
  tenantSlug: string | null = null,
): Context {
  return {
    db,
    session: userId ? { userId, sessionId: `test-${userId}` } : null,
    unverifiedTenantSlug: tenantSlug,
    ip: "127.0.0.1",
  };
}

export const callerFor = (db: PrismaClient, userId: string | null, tenantSlug: string | null = null) =>
  createCaller(contextFor(db, userId, tenantSlug));

type Serialized = Parameters<typeof superjson.deserialize>[0];

/** Every procedure path in the app router with its type ("query" or "mutation"). */
export function procedureTypes(): Record<string, string> {
  // At run time `_def.procedures` is flat ("member.list" → procedure), unlike its declared type.
  const procedures = new Map<string, unknown>(Object.entries(appRouter._def.procedures));
  const types: Record<string, string> = {};
  for (const [path, procedure] of procedures) {
    if (
      typeof procedure === "function" &&
      "_def" in procedure &&
      typeof procedure._def === "object" &&
      procedure._def &&
      "type" in procedure._def
    ) {
      types[path] = String(procedure._def.type);
    }
  }
  return types;
}

export type HttpResult = {
  status: number;
  data?: unknown;
  error?: { message: string; code: string; data: { fieldErrors: Record<string, string[]> | null } };
};

/**
 * Calls a procedure the way the browser does: an HTTP request through tRPC's fetch adapter and the
 * real router, so status codes and the error formatter are what users get. `router` is for tests that
 * import the app again under another configuration (see server/trpc/routers/runs.integration.test.ts).
 */
export async function callHttp(
  ctx: Context,
  path: string,
  input: unknown,
  router: typeof appRouter = appRouter,
): Promise<HttpResult> {
  const type = procedureTypes()[path];
  if (!type) throw new Error(`No procedure ${path}`);
  const isQuery = type === "query";
  const encoded = JSON.stringify(superjson.serialize(input));
  const url = `http://tenet.test/api/trpc/${path}${isQuery && input !== undefined ? `?input=${encodeURIComponent(encoded)}` : ""}`;
  const req = new Request(url, {
    method: isQuery ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: isQuery ? undefined : input === undefined ? undefined : encoded,
  });
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router,
    createContext: () => ctx,
  });
  const body: unknown = await res.json();
  const parsed = body as { result?: { data: Serialized }; error?: Serialized };
  if (parsed.error) {
    return { status: res.status, error: superjson.deserialize(parsed.error) };
  }
  return { status: res.status, data: parsed.result ? superjson.deserialize(parsed.result.data) : undefined };
}

/** A tRPC call over HTTP as `user`, naming `tenant` as the client would (its slug). */
export const callAs = (
  user: { userId: string },
  tenant: { slug: string },
  path: string,
  input?: unknown,
  db: PrismaClient = testDb(),
) => callHttp(contextFor(db, user.userId, tenant.slug), path, input);

/** A successful answer, checked against the procedure's output schema. */
export function expectOk<T>(res: HttpResult, schema: z.ZodType<T>): T {
  expect(res.error?.message, "expected success").toBeUndefined();
  expect(res.status).toBe(200);
  return schema.parse(res.data);
}

import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { env } from "@/server/env.js";
import { Prisma, PrismaClient } from "./generated/client.ts";

export { Prisma, PrismaClient };
/** A client scoped to one transaction: what `withTenant` and `withUser` hand to domain code. */
export type Tx = Prisma.TransactionClient;

/** The PostgreSQL role the app connects as. It owns no tables and lacks BYPASSRLS (migration 0001). */
export const APP_ROLE = "tenet_app";

// Each client's connection pool, for withTenantSql (scope.ts): the same connections, without Prisma.
// Kept on globalThis like the client itself (below): Next.js reloads modules in development and gives
// route bundles their own module instances, and a fresh map would not know the shared client's pool.
declare global {
  var tenetDbPools: WeakMap<PrismaClient, pg.Pool> | undefined;
}
const pools = (globalThis.tenetDbPools ??= new WeakMap<PrismaClient, pg.Pool>());

export function createPrismaClient(connectionString: string, options: { max?: number } = {}): PrismaClient {
  const pool = new pg.Pool({ connectionString, max: options.max ?? env.DATABASE_POOL_MAX });
  const client = new PrismaClient({ adapter: new PrismaPg(pool) });
  pools.set(client, pool);
  return client;
}

export function poolOf(client: PrismaClient): pg.Pool {
  const pool = pools.get(client);
  if (!pool) throw new Error("This PrismaClient was not made by createPrismaClient");
  return pool;
}

/** The app role's URL: DATABASE_APP_URL, or DATABASE_URL with the app role's name and password. */
export function appDatabaseUrl(ownerUrl = env.DATABASE_URL): string {
  if (env.DATABASE_APP_URL) return env.DATABASE_APP_URL;
  if (!ownerUrl) {
    throw new Error(
      "DATABASE_URL is not set. `npm run dev` starts an embedded PostgreSQL; otherwise point DATABASE_URL at a server.",
    );
  }
  return withCredentials(ownerUrl, APP_ROLE, env.DATABASE_APP_PASSWORD);
}

export function withCredentials(url: string, user: string, password: string | undefined): string {
  const u = new URL(url);
  u.username = user;
  u.password = password ? encodeURIComponent(password) : "";
  return u.toString();
}

// One pool per process; Next.js dev reloads modules, so the client lives on globalThis.
declare global {
  var tenetDb: PrismaClient | undefined;
}

export function getDb(): PrismaClient {
  globalThis.tenetDb ??= createPrismaClient(appDatabaseUrl());
  return globalThis.tenetDb;
}

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { APP_ROLE, withCredentials } from "@/server/db/client";
import {
  databaseUrl,
  ensureDatabase,
  startEmbeddedPostgres,
  type EmbeddedServer,
} from "@/server/db/embedded";
import { migrate } from "@/server/db/migrate";
import { env } from "@/server/env.js";

/**
 * What `npm run dev` and `npm run db:*` share: the database to use (DATABASE_URL, else an embedded
 * PostgreSQL under .data/), migrated, with the app role's connection string.
 */
export type LocalDatabase = {
  ownerUrl: string;
  appUrl: string;
  appPassword?: string;
  stop: () => Promise<void>;
};

const DATA_DIR = path.resolve(".data");

/** Secrets a fresh machine needs for development, generated once and kept under .data/. */
export function devSecret(name: string): string {
  const file = path.join(DATA_DIR, "secrets.json");
  const secrets = existsSync(file)
    ? z.record(z.string(), z.string()).parse(JSON.parse(readFileSync(file, "utf8")))
    : {};
  const existing = secrets[name];
  if (existing) return existing;
  const value = randomBytes(32).toString("base64url");
  mkdirSync(DATA_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify({ ...secrets, [name]: value }, null, 2), { mode: 0o600 });
  return value;
}

export async function openLocalDatabase(log: (line: string) => void): Promise<LocalDatabase> {
  let ownerUrl = env.DATABASE_URL;
  let server: EmbeddedServer | undefined;
  if (!ownerUrl) {
    log(`starting embedded PostgreSQL (${env.EMBEDDED_PG_DIR}, port ${env.EMBEDDED_PG_PORT})`);
    server = await startEmbeddedPostgres({
      dataDir: env.EMBEDDED_PG_DIR,
      port: env.EMBEDDED_PG_PORT,
      persistent: true,
    });
    await ensureDatabase(server.ownerUrl("postgres"), "tenet");
    ownerUrl = server.ownerUrl("tenet");
  }
  const appPassword = env.DATABASE_APP_PASSWORD ?? (server ? devSecret("database-app-password") : undefined);
  const applied = await migrate(ownerUrl, { appRolePassword: appPassword, log });
  if (applied.length === 0) log("database is up to date");
  return {
    ownerUrl,
    appUrl: env.DATABASE_APP_URL ?? withCredentials(ownerUrl, APP_ROLE, appPassword),
    appPassword,
    stop: async () => {
      await server?.stop();
    },
  };
}

export { databaseUrl };

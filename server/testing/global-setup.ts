import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { APP_ROLE, withCredentials } from "@/server/db/client";
import { databaseUrl, dropDatabase, ensureDatabase, startEmbeddedPostgres } from "@/server/db/embedded";
import { migrate } from "@/server/db/migrate";
import { env } from "@/server/env.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The server (its `postgres` database) on which tests may create more databases. */
    serverUrl: string;
    /** The migrated test database, as its owner. */
    ownerUrl: string;
    /** The same database as the app role (row-level security applies). */
    appUrl: string;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * Each test run gets its own database: on the server from DATABASE_URL when set, else on an embedded
 * PostgreSQL started for the run. It is migrated once here and dropped at the end.
 */
export default async function setup(project: TestProject) {
  let serverUrl = env.DATABASE_URL;
  let stopServer = async () => {};
  let appPassword = env.DATABASE_APP_PASSWORD;
  if (!serverUrl) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "tenet-test-pg-"));
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
    serverUrl = server.ownerUrl("postgres");
    appPassword ??= randomBytes(16).toString("hex");
    stopServer = async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const name = `tenet_test_${Date.now()}_${randomBytes(3).toString("hex")}`;
  await ensureDatabase(serverUrl, name);
  const ownerUrl = databaseUrl(serverUrl, name);
  await migrate(ownerUrl, { appRolePassword: appPassword });
  project.provide("serverUrl", serverUrl);
  project.provide("ownerUrl", ownerUrl);
  project.provide("appUrl", withCredentials(ownerUrl, APP_ROLE, appPassword));
  return async () => {
    await dropDatabase(serverUrl, name);
    await stopServer();
  };
}

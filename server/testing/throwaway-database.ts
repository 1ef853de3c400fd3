import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { APP_ROLE, withCredentials } from "@/server/db/client";
import { databaseUrl, dropDatabase, ensureDatabase, startEmbeddedPostgres } from "@/server/db/embedded";
import { migrate } from "@/server/db/migrate";
import { env } from "@/server/env.js";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port")),
      );
    });
  });
}

export type ThrowawayDatabase = {
  /** The server's `postgres` database, where more databases may be created. */
  serverUrl: string;
  /** The new, migrated database, as its owner. */
  ownerUrl: string;
  /** The same database as the app role. */
  appUrl: string;
  close: () => Promise<void>;
};

/**
 * A fresh, migrated database for one test run: on the server from DATABASE_URL when set, else on an
 * embedded PostgreSQL started in a temporary directory. `close` drops it (and stops that server).
 */
export async function openThrowawayDatabase(prefix: string): Promise<ThrowawayDatabase> {
  let serverUrl = env.DATABASE_URL;
  let appPassword = env.DATABASE_APP_PASSWORD;
  let stopServer = async () => {};
  if (!serverUrl) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-pg-`));
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
    serverUrl = server.ownerUrl("postgres");
    appPassword ??= randomBytes(16).toString("hex");
    stopServer = async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const name = `${prefix}_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const server = serverUrl;
  await ensureDatabase(server, name);
  const ownerUrl = databaseUrl(server, name);
  await migrate(ownerUrl, { appRolePassword: appPassword });
  return {
    serverUrl: server,
    ownerUrl,
    appUrl: withCredentials(ownerUrl, APP_ROLE, appPassword),
    close: async () => {
      await dropDatabase(server, name);
      await stopServer();
    },
  };
}

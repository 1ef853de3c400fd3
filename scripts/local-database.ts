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
 * PostgreSQL under .data/), migrated, with the app role's connection string. The scripts import
 * ./dev-env first, which supplies the development secrets.
 */
export type LocalDatabase = {
  ownerUrl: string;
  appUrl: string;
  stop: () => Promise<void>;
};

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
  const appPassword = env.DATABASE_APP_PASSWORD;
  const applied = await migrate(ownerUrl, { appRolePassword: appPassword, log });
  if (applied.length === 0) log("database is up to date");
  return {
    ownerUrl,
    appUrl: env.DATABASE_APP_URL ?? withCredentials(ownerUrl, APP_ROLE, appPassword),
    stop: async () => {
      await server?.stop();
    },
  };
}

export { databaseUrl };

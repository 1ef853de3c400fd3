/**
 * `npm run credentials:rotate`: re-encrypts every tenant's connection credentials under the current
 * key, the first of CREDENTIALS_KEYS. To rotate: put a new key first (`<newId>:$(openssl rand -base64
 * 32)`), keep the old ones after it, restart the app, run this, then drop the old keys once it reports
 * nothing left under them. Safe to run again, and while the app runs (server/connections/connections.ts,
 * reencryptAll). Runs as the app role, so row-level security applies tenant by tenant; it prints key
 * ids and connection ids, never credentials.
 */
import "./dev-env";
import { reencryptAll } from "@/server/connections/connections";
import { createPrismaClient } from "@/server/db/client";
import { openLocalDatabase } from "./local-database";

const database = await openLocalDatabase((line) => console.log(`[credentials] ${line}`));
const db = createPrismaClient(database.appUrl, { max: 2 });
let code = 0;
try {
  const result = await reencryptAll(db, undefined, (line) => console.log(`[credentials] ${line}`));
  console.log(
    `[credentials] ${result.reencrypted} connection(s) in ${result.tenants} tenant(s) re-encrypted; every readable connection is now under key ${result.current}`,
  );
  if (result.failed.length > 0) {
    console.error(
      `[credentials] ${result.failed.length} connection(s) could not be decrypted and were left as they were (listed above); keep their keys in CREDENTIALS_KEYS, or have an admin enter new credentials for them`,
    );
    code = 1;
  }
} finally {
  await db.$disconnect();
  await database.stop();
}
process.exit(code);

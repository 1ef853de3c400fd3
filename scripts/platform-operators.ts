/**
 * `npm run platform:operators -- <tenant-slug>`: makes the owners and admins of that tenant the
 * platform's operators, the only people who change the kernel's resource pools on the Kernel page.
 * Runs as the database owner (DATABASE_URL, else the embedded dev database), like db:migrate and
 * db:seed: the app's own role may read the setting but never write it.
 */
import "./dev-env";
import pg from "pg";
import { AppError } from "@/server/errors";
import { setOperatorTenant } from "@/server/kernel/scheduler/operators";
import { poolSql } from "@/server/kernel/scheduler/store";
import { openLocalDatabase } from "./local-database";

const slug = process.argv[2];
if (!slug || process.argv.length > 3) {
  console.error("usage: npm run platform:operators -- <tenant-slug>   (the part after /t/ in its address)");
  process.exit(2);
}

const database = await openLocalDatabase(() => {});
const owner = new pg.Pool({ connectionString: database.ownerUrl, max: 1 });
let code = 0;
try {
  const { operator, previous } = await setOperatorTenant(poolSql(owner), slug);
  const was = previous
    ? previous.id === operator.id
      ? " (they already were)"
      : ` (until now: ${previous.name}, /t/${previous.slug})`
    : "";
  console.log(
    `Platform operators: the owners and admins of ${operator.name} (/t/${operator.slug})${was}. They change the resource pools on the Kernel page.`,
  );
} catch (error) {
  if (!(error instanceof AppError)) throw error;
  console.error(error.message);
  code = 1;
} finally {
  await owner.end();
  await database.stop();
}
process.exit(code);

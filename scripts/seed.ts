/** `npm run db:seed`: migrates, then seeds the demo tenants and the operator tenant (idempotent). */
import "./dev-env";
import pg from "pg";
import { createPrismaClient } from "@/server/db/client";
import { DEMO_PASSWORD, seedDemo } from "@/prisma/seed";
import { poolSql } from "@/server/kernel/scheduler/store";
import { openLocalDatabase } from "./local-database";

const database = await openLocalDatabase((line) => console.log(`[seed] ${line}`));
const db = createPrismaClient(database.appUrl, { max: 2 });
const owner = new pg.Pool({ connectionString: database.ownerUrl, max: 1 });
const created = await seedDemo(db, poolSql(owner));
await owner.end();
console.log(
  created.length
    ? `[seed] created ${created.join(", ")} (password "${DEMO_PASSWORD}")`
    : "[seed] demo data already present",
);
await db.$disconnect();
await database.stop();

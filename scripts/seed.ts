/** `npm run db:seed`: migrates, then seeds the demo tenants (idempotent). */
import "./dev-env";
import { createPrismaClient } from "@/server/db/client";
import { DEMO_PASSWORD, seedDemo } from "@/prisma/seed";
import { openLocalDatabase } from "./local-database";

const database = await openLocalDatabase((line) => console.log(`[seed] ${line}`));
const db = createPrismaClient(database.appUrl, { max: 2 });
const created = await seedDemo(db);
console.log(
  created.length
    ? `[seed] created ${created.join(", ")} (password "${DEMO_PASSWORD}")`
    : "[seed] demo data already present",
);
await db.$disconnect();
await database.stop();

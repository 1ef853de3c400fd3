/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded dev database). */
import "./dev-env";
import { openLocalDatabase } from "./local-database";

const database = await openLocalDatabase((line) => console.log(`[migrate] ${line}`));
await database.stop();

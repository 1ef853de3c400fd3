import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// Prisma 7's binary schema engine cannot be downloaded on our machines, so the CLI runs Prisma 6.19's
// JavaScript schema engine through the pg driver adapter. Migrations are applied by scripts/migrate.ts,
// not `prisma migrate deploy` (see docs/database.md).
// The schema's datasource must name a url, and Prisma's schema validator refuses a missing variable
// even for commands that never connect (generate, migrate diff). Those commands get a placeholder.
process.env.DATABASE_URL ??= "postgresql://placeholder@127.0.0.1:5432/placeholder";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  // The JavaScript schema engine connects through this even to diff two datamodels.
  adapter: () => Promise.resolve(new PrismaPg({ connectionString: process.env.DATABASE_URL })),
});

import type { TestProject } from "vitest/node";
import { openThrowawayDatabase } from "./throwaway-database";

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

/** Each test run gets its own database, migrated once here and dropped at the end. */
export default async function setup(project: TestProject) {
  const database = await openThrowawayDatabase("tenet_test");
  project.provide("serverUrl", database.serverUrl);
  project.provide("ownerUrl", database.ownerUrl);
  project.provide("appUrl", database.appUrl);
  return database.close;
}

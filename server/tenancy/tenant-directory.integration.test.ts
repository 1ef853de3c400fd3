/**
 * The tenant directory (migration `…_tenant_directory`): the app role, which row-level security shows
 * no tenant outside its scope, can page through every tenant's id, and through nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/server/db/client";
import { createIsolatedDatabase, createTestTenant, type TestTenant } from "@/server/testing/fixtures";
import { listTenantIds } from "./tenants";

let db: PrismaClient;
let close = () => Promise.resolve();
let tenants: TestTenant[];

beforeAll(async () => {
  ({ db, close } = await createIsolatedDatabase());
  tenants = [
    await createTestTenant(db, "acme"),
    await createTestTenant(db, "globex"),
    await createTestTenant(db, "initech"),
  ];
});
afterAll(() => close());

describe("listTenantIds", () => {
  it("lists every tenant's id in id order, page by page", async () => {
    const all = tenants.map((t) => t.id).sort();
    expect(await listTenantIds(db)).toEqual(all);
    const first = await listTenantIds(db, { limit: 2 });
    expect(first).toEqual(all.slice(0, 2));
    expect(await listTenantIds(db, { after: first.at(-1), limit: 2 })).toEqual(all.slice(2));
    expect(await listTenantIds(db, { after: all.at(-1) })).toEqual([]);
  });

  it("gives the app role ids only: the tenants themselves stay hidden outside their scope", async () => {
    expect(await db.tenant.findMany()).toEqual([]);
  });
});

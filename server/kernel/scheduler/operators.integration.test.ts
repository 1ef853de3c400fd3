/**
 * The operator tenant: set only through the database owner's connection (the platform:operators script
 * and the demo seed), never by the app role; an unknown slug is refused and changes nothing.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo, OPERATOR_TENANT } from "@/prisma/seed";
import type { PrismaClient } from "@/server/db/client";
import { createIsolatedDatabase, createTestTenant, type TestTenant } from "@/server/testing/fixtures";
import { canOperate, isOperatorTenant } from "./pools";
import { operatorTenant, setOperatorTenant } from "./operators";
import { poolSql } from "./store";

let db: PrismaClient;
let close = () => Promise.resolve();
let owner: pg.Pool;
let acme: TestTenant;
let globex: TestTenant;

beforeAll(async () => {
  let ownerUrl: string;
  ({ db, ownerUrl, close } = await createIsolatedDatabase());
  owner = new pg.Pool({ connectionString: ownerUrl, max: 1 });
  acme = await createTestTenant(db, "acme");
  globex = await createTestTenant(db, "globex");
});

afterAll(async () => {
  await owner.end();
  await close();
});

const operatorSlug = async () => (await operatorTenant(poolSql(owner)))?.slug ?? null;

describe("the operator tenant", () => {
  it("is none after the migrations, so nobody may change the pools", async () => {
    expect(await operatorSlug()).toBeNull();
    expect(await acme.asOwner((ctx) => canOperate(ctx))).toBe(false);
  });

  it("is set by slug as the database owner, replacing the one before", async () => {
    const first = await setOperatorTenant(poolSql(owner), acme.slug);
    expect(first).toEqual({ operator: { id: acme.id, slug: acme.slug, name: "acme" }, previous: null });
    expect(await acme.asOwner((ctx) => canOperate(ctx))).toBe(true);
    expect(await globex.asOwner((ctx) => canOperate(ctx))).toBe(false);

    const second = await setOperatorTenant(poolSql(owner), globex.slug);
    expect(second.previous?.slug).toBe(acme.slug);
    expect(await operatorSlug()).toBe(globex.slug);
    expect(await acme.asOwner((ctx) => isOperatorTenant(ctx.db, ctx.tenantId))).toBe(false);
  });

  it("refuses an unknown slug with a clear message and keeps the operators", async () => {
    await expect(setOperatorTenant(poolSql(owner), "no-such-tenant")).rejects.toThrow(
      'No tenant has the slug "no-such-tenant" (a tenant\'s slug is the part after /t/ in the address of its pages)',
    );
    expect(await operatorSlug()).toBe(globex.slug);
  });

  it("cannot be changed by the app's own role", async () => {
    await expect(
      acme.asOwner((ctx) => ctx.db.$executeRawUnsafe("UPDATE kernel.settings SET operator_tenant_id = NULL")),
    ).rejects.toThrow(/permission denied/);
    expect(await operatorSlug()).toBe(globex.slug);
  });

  it("the demo seed creates Tenet Operations and keeps an operator tenant chosen before", async () => {
    const created = await seedDemo(db, poolSql(owner));
    expect(created).toContain(OPERATOR_TENANT.ownerEmail);
    expect(await operatorSlug()).toBe(globex.slug);
    // Seeding again creates nothing.
    expect(await seedDemo(db, poolSql(owner))).toEqual([]);
  });

  it("the demo seed makes Tenet Operations the operator tenant when none is set", async () => {
    await owner.query("UPDATE kernel.settings SET operator_tenant_id = NULL");
    expect(await seedDemo(db, poolSql(owner))).toEqual([]);
    expect(await operatorTenant(poolSql(owner))).toMatchObject({ slug: "ops", name: "Tenet Operations" });
  });
});

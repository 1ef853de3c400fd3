import { beforeAll, describe, expect, inject, it } from "vitest";
import { createPrismaClient } from "./client";
import { withTenant, withUser } from "./scope";
import { callerFor, createTestTenant, testDb, type TestTenant } from "@/server/testing/fixtures";

let acme: TestTenant;
let globex: TestTenant;

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  await acme.add("employee");
  await globex.add("approver");
});

describe("row-level security through withTenant", () => {
  it("shows a transaction only its tenant's rows", async () => {
    const rows = await withTenant(testDb(), { tenantId: acme.id }, (tx) => tx.membership.findMany());
    expect(rows.length).toBe(2);
    expect(new Set(rows.map((r) => r.tenantId))).toEqual(new Set([acme.id]));
  });

  it("shows nothing tenant-owned outside withTenant", async () => {
    expect(await testDb().membership.count()).toBe(0);
    expect(await testDb().tenant.count()).toBe(0);
    expect(await testDb().invite.count()).toBe(0);
  });

  it("refuses to write a row into another tenant", async () => {
    await expect(
      withTenant(testDb(), { tenantId: acme.id }, (tx) =>
        tx.membership.create({ data: { tenantId: globex.id, userId: acme.owner.userId, role: "admin" } }),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it("cannot move a row to another tenant or see one by id", async () => {
    const count = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      tx.membership.updateMany({ where: { id: globex.owner.membershipId }, data: { role: "employee" } }),
    );
    expect(count.count).toBe(0);
    const moved = withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      tx.membership.update({ where: { id: acme.owner.membershipId }, data: { tenantId: globex.id } }),
    );
    await expect(moved).rejects.toThrow();
  });

  it("keeps the tenant setting local to the transaction", async () => {
    const db = createPrismaClient(inject("appUrl"), { max: 1 });
    try {
      await withTenant(db, { tenantId: acme.id }, (tx) => tx.membership.count());
      // Same single pooled connection, outside the transaction: no tenant.
      const [setting] = await db.$queryRaw<
        { t: string | null }[]
      >`SELECT current_setting('app.tenant_id', true) AS t`;
      expect(setting?.t ?? "").toBe("");
      expect(await db.membership.count()).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });

  it("lets a user see their own memberships and tenants, and no one else's", async () => {
    const own = await withUser(testDb(), acme.owner.userId, async (tx) => ({
      memberships: await tx.membership.findMany(),
      tenants: await tx.tenant.findMany(),
    }));
    expect(own.memberships.map((m) => m.userId)).toEqual([acme.owner.userId]);
    expect(own.tenants.map((t) => t.id)).toEqual([acme.id]);
  });

  it("serves 10,000 requests alternating tenants over 2 connections without one wrong row", async () => {
    const db = createPrismaClient(inject("appUrl"), { max: 2 });
    const tenants = [acme, globex];
    let wrong = 0;
    let served = 0;
    try {
      const worker = async (offset: number) => {
        for (let i = offset; i < 10_000; i += 8) {
          const tenant = tenants[i % 2];
          if (!tenant) throw new Error("unreachable");
          const members = await callerFor(db, tenant.owner.userId, tenant.slug).member.list();
          served += 1;
          wrong += members.filter((m) => !m.email.endsWith(`@${tenant.slug}.test`)).length;
          if (members.length !== 2) wrong += 1;
        }
      };
      await Promise.all(Array.from({ length: 8 }, (_, k) => worker(k)));
    } finally {
      await db.$disconnect();
    }
    expect(served).toBe(10_000);
    expect(wrong).toBe(0);
  }, 300_000);
});

/**
 * A membership the identity provider deactivated (SCIM `active: false`, Membership.deactivatedAt):
 * the person cannot enter the tenant through tRPC or server components, the tenant leaves their
 * switcher, and the kernel's directory does not count them as a member. Their other tenants and the
 * tenant's other members are unaffected.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { loadMembers } from "@/server/kernel/access/principals";
import {
  callerFor,
  createTestTenant,
  testDb,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { addMember } from "./members";
import { listTenantsForUser, tenantForUser } from "./tenants";

let acme: TestTenant;
let globex: TestTenant;
let leaver: TestUser;
let colleague: TestUser;

const setDeactivated = (tenant: TestTenant, userId: string, at: Date | null) =>
  withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    tx.membership.update({
      where: { tenantId_userId: { tenantId: tenant.id, userId } },
      data: { deactivatedAt: at },
    }),
  );

const members = (tenant: TestTenant, userIds: string[]) =>
  withTenant(testDb(), { tenantId: tenant.id }, (tx) => loadMembers(tx, tenant.id, userIds));

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  leaver = await acme.add("admin");
  colleague = await acme.add("employee");
  await withTenant(testDb(), { tenantId: globex.id }, (tx) =>
    addMember(tx, globex.id, leaver.userId, "employee"),
  );
  await setDeactivated(acme, leaver.userId, new Date());
});

describe("a deactivated membership", () => {
  it("is refused by tenantProcedure and role procedures, while an active colleague is not", async () => {
    await expect(callerFor(testDb(), leaver.userId, acme.slug).tenant.current()).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(callerFor(testDb(), leaver.userId, acme.slug).member.list()).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await callerFor(testDb(), colleague.userId, acme.slug).tenant.current()).toMatchObject({
      id: acme.id,
    });
  });

  it("hides the tenant from the person's pages and switcher, not their other tenants", async () => {
    expect(await tenantForUser(testDb(), leaver.userId, acme.slug)).toBeNull();
    expect((await listTenantsForUser(testDb(), leaver.userId)).map((t) => t.id)).toEqual([globex.id]);
    expect(await callerFor(testDb(), leaver.userId, globex.slug).tenant.current()).toMatchObject({
      id: globex.id,
    });
  });

  it("is not a member in the kernel's directory until reactivated", async () => {
    const before = await members(acme, [leaver.userId, colleague.userId]);
    expect([...before.keys()]).toEqual([colleague.userId]);
    await setDeactivated(acme, leaver.userId, null);
    expect((await members(acme, [leaver.userId])).get(leaver.userId)).toMatchObject({ roles: ["admin"] });
    expect(await callerFor(testDb(), leaver.userId, acme.slug).tenant.current()).toMatchObject({
      id: acme.id,
    });
    await setDeactivated(acme, leaver.userId, new Date());
  });
});

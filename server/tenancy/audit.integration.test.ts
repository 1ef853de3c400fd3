/** Domain events reach the tenant's audit log in the same transaction as the change they record. */
import { describe, expect, it } from "vitest";
import { recordSignIn } from "@/server/auth/record-sign-in";
import { withTenant } from "@/server/db/scope";
import { describeAuditEntry } from "@/server/kernel/audit/sentence";
import { verifyChain } from "@/server/kernel/audit/verify";
import {
  PASSWORD,
  callerFor,
  createTestTenant,
  testDb,
  unique,
  type TestTenant,
} from "@/server/testing/fixtures";

const entries = (t: { id: string }) =>
  withTenant(testDb(), { tenantId: t.id }, (tx) =>
    tx.auditEntry.findMany({ where: { tenantId: t.id }, orderBy: { seq: "asc" } }),
  );
const lastEntry = async (t: { id: string }) => (await entries(t)).at(-1);
const tokenOf = (url: string) => url.split("/invite/")[1] ?? "";

async function expectChainIntact(t: TestTenant) {
  expect(await withTenant(testDb(), { tenantId: t.id }, (tx) => verifyChain(tx, t.id))).toMatchObject({
    ok: true,
  });
}

describe("audited domain events", () => {
  it("tenant created (sign-up and tenant.create) and renamed", async () => {
    const acme = await createTestTenant(testDb(), "acme");
    expect(await entries(acme)).toEqual([
      expect.objectContaining({
        seq: 1n,
        action: "tenant.created",
        actorType: "user",
        actorId: acme.owner.userId,
        actorLabel: "acme owner",
        resourceType: "tenant",
        resourceId: acme.id,
        outcome: "succeeded",
        detail: { name: "acme", slug: acme.slug },
      }),
    ]);

    const caller = callerFor(testDb(), acme.owner.userId, acme.slug);
    await caller.tenant.rename({ name: "Acme Corp" });
    const renamed = await lastEntry(acme);
    expect(renamed).toMatchObject({
      seq: 2n,
      action: "tenant.renamed",
      detail: { from: "acme", to: "Acme Corp" },
    });
    expect(renamed && describeAuditEntry(renamed)).toBe(
      "acme owner renamed the tenant from acme to Acme Corp",
    );

    const slug = unique("second");
    await callerFor(testDb(), acme.owner.userId).tenant.create({ name: "Second", slug });
    const second = (await callerFor(testDb(), acme.owner.userId).tenant.list()).find((t) => t.slug === slug);
    if (!second) throw new Error("second tenant missing");
    expect((await entries(second)).map((e) => [e.seq, e.action])).toEqual([[1n, "tenant.created"]]);
    await expectChainIntact(acme);
  });

  it("member role changed (with from and to) and member removed", async () => {
    const acme = await createTestTenant(testDb(), "acme");
    const member = await acme.add("employee");
    const caller = callerFor(testDb(), acme.owner.userId, acme.slug);
    await caller.member.changeRole({ membershipId: member.membershipId, role: "approver" });
    const changed = await lastEntry(acme);
    expect(changed).toMatchObject({
      action: "member.role_changed",
      actorId: acme.owner.userId,
      resourceType: "membership",
      resourceId: member.membershipId,
      resourceLabel: "acme employee",
      detail: { from: "employee", to: "approver", userId: member.userId, email: member.email },
    });
    expect(changed && describeAuditEntry(changed)).toBe(
      "acme owner changed acme employee's role from employee to approver",
    );

    await caller.member.remove({ membershipId: member.membershipId });
    expect(await lastEntry(acme)).toMatchObject({
      action: "member.removed",
      resourceLabel: "acme employee",
      detail: { role: "approver", email: member.email },
    });
    await expectChainIntact(acme);
  });

  it("a refused change writes no entry", async () => {
    const acme = await createTestTenant(testDb(), "acme");
    const admin = await acme.add("admin");
    const before = (await entries(acme)).length;
    await expect(
      callerFor(testDb(), admin.userId, acme.slug).member.changeRole({
        membershipId: acme.owner.membershipId,
        role: "employee",
      }),
    ).rejects.toThrow(/Only an owner/);
    await expect(
      callerFor(testDb(), acme.owner.userId, acme.slug).member.changeRole({
        membershipId: acme.owner.membershipId,
        role: "employee",
      }),
    ).rejects.toThrow(/at least one owner/);
    expect((await entries(acme)).length).toBe(before);
  });

  it("invitation created, revoked and accepted, never with its link", async () => {
    const acme = await createTestTenant(testDb(), "acme");
    const caller = callerFor(testDb(), acme.owner.userId, acme.slug);
    const email = `${unique("new")}@acme.test`;
    const first = await caller.invite.create({ email, role: "employee" });
    await caller.invite.revoke({ inviteId: first.id });
    const second = await caller.invite.create({ email, role: "approver" });
    await callerFor(testDb(), null).invite.accept({
      token: tokenOf(second.url),
      name: "New Person",
      password: PASSWORD,
    });

    const log = (await entries(acme)).slice(1);
    expect(log.map((e) => e.action)).toEqual([
      "invite.created",
      "invite.revoked",
      "invite.created",
      "invite.accepted",
    ]);
    expect(log[0]).toMatchObject({
      resourceType: "invite",
      resourceId: first.id,
      resourceLabel: email,
      detail: { email, role: "employee", supersededInvites: 0 },
    });
    expect(log[1]).toMatchObject({ resourceId: first.id, detail: { email, role: "employee" } });
    expect(log[3]).toMatchObject({
      actorLabel: "New Person",
      resourceId: second.id,
      detail: { email, role: "approver", accountCreated: true },
    });
    expect(log[3] && describeAuditEntry(log[3])).toBe(
      `New Person created an account, accepted the invitation for ${email} and joined as approver`,
    );
    const serialized = JSON.stringify(log.map((e) => e.detail));
    expect(serialized).not.toContain(tokenOf(first.url));
    expect(serialized).not.toContain(tokenOf(second.url));
    await expectChainIntact(acme);
  });

  it("recordSignIn writes auth.signed_in to every tenant the user belongs to", async () => {
    const acme = await createTestTenant(testDb(), "acme");
    const globex = await createTestTenant(testDb(), "globex");
    const slug = unique("third");
    await callerFor(testDb(), acme.owner.userId).tenant.create({ name: "Third", slug });
    await recordSignIn(testDb(), acme.owner.userId, "203.0.113.9");
    const third = (await callerFor(testDb(), acme.owner.userId).tenant.list()).find((t) => t.slug === slug);
    for (const t of [acme, third]) {
      if (!t) throw new Error("tenant missing");
      expect(await lastEntry(t)).toMatchObject({
        action: "auth.signed_in",
        actorId: acme.owner.userId,
        actorLabel: "acme owner",
        detail: { ip: "203.0.113.9" },
      });
    }
    expect((await lastEntry(globex))?.action).toBe("tenant.created");
  });
});

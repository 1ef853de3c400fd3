import { describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { PASSWORD, callerFor, createTestTenant, testDb, unique, withOwner } from "@/server/testing/fixtures";
import { signInWithPassword } from "@/server/auth/sign-in";

const tokenOf = (url: string) => url.split("/invite/")[1] ?? "";

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof Error) || !("code" in error))
    throw new Error(`expected a tRPC error, got ${String(error)}`);
  return { code: String(error.code), message: error.message };
}

describe("sign-up", () => {
  it("creates the tenant with its owner, and refuses a taken address or email", async () => {
    const slug = unique("initech");
    const anon = callerFor(testDb(), null);
    const email = `${slug}@initech.test`;
    await anon.auth.signUp({
      name: "Peter",
      email,
      password: PASSWORD,
      tenantName: "Initech",
      tenantSlug: slug,
    });
    const user = await signInWithPassword(testDb(), { email, password: PASSWORD }, "10.5.0.1");
    expect(await callerFor(testDb(), user.id).tenant.list()).toEqual([
      expect.objectContaining({ slug, role: "owner" }),
    ]);

    const taken = await rejection(
      anon.auth.signUp({
        name: "Other",
        email: `x-${email}`,
        password: PASSWORD,
        tenantName: "Other",
        tenantSlug: slug,
      }),
    );
    expect(taken).toEqual({ code: "CONFLICT", message: `The address "${slug}" is already taken` });
    const again = await rejection(
      anon.auth.signUp({
        name: "Peter",
        email,
        password: PASSWORD,
        tenantName: "Again",
        tenantSlug: unique("again"),
      }),
    );
    expect(again.code).toBe("CONFLICT");
    // The refused sign-ups left no user behind.
    const users = await withOwner(
      async (db) => (await db.query(`SELECT 1 FROM "User" WHERE email = $1`, [`x-${email}`])).rowCount,
    );
    expect(users).toBe(0);
  });

  it("a signed-in user can create another tenant and switch between them", async () => {
    const acme = await createTestTenant(testDb());
    const caller = callerFor(testDb(), acme.owner.userId);
    const slug = unique("second");
    await caller.tenant.create({ name: "Second", slug });
    expect((await caller.tenant.list()).map((t) => t.slug).sort()).toEqual([acme.slug, slug].sort());
  });
});

describe("invitations", () => {
  it("invite → preview → accept creates the account and membership, once", async () => {
    const acme = await createTestTenant(testDb());
    const email = `${unique("new")}@acme.test`;
    const invite = await callerFor(testDb(), acme.owner.userId, acme.slug).invite.create({
      email,
      role: "approver",
    });
    expect(invite.url).toMatch(/^http:\/\/tenet\.test\/invite\//);
    expect(invite.emailed).toBe(false);
    const anon = callerFor(testDb(), null);
    const preview = await anon.invite.preview({ token: tokenOf(invite.url) });
    expect(preview).toMatchObject({
      tenantSlug: acme.slug,
      email,
      role: "approver",
      status: "pending",
      accountExists: false,
    });

    const accepted = await anon.invite.accept({
      token: tokenOf(invite.url),
      name: "New Person",
      password: PASSWORD,
    });
    expect(accepted).toEqual({ tenantSlug: acme.slug, email, accountCreated: true });
    const members = await callerFor(testDb(), acme.owner.userId, acme.slug).member.list();
    expect(members.find((m) => m.email === email)?.role).toBe("approver");

    expect(
      await rejection(anon.invite.accept({ token: tokenOf(invite.url), name: "Again", password: PASSWORD })),
    ).toEqual({
      code: "CONFLICT",
      message: "This invitation has already been used",
    });
    expect((await anon.invite.preview({ token: tokenOf(invite.url) })).status).toBe("accepted");
  });

  it("an existing user accepts while signed in as the invited address", async () => {
    const acme = await createTestTenant(testDb());
    const globex = await createTestTenant(testDb(), "globex");
    const invite = await callerFor(testDb(), acme.owner.userId, acme.slug).invite.create({
      email: globex.owner.email,
      role: "employee",
    });
    const signedOut = await rejection(
      callerFor(testDb(), null).invite.accept({ token: tokenOf(invite.url) }),
    );
    expect(signedOut.code).toBe("UNAUTHORIZED");
    await callerFor(testDb(), globex.owner.userId).invite.accept({ token: tokenOf(invite.url) });
    expect((await callerFor(testDb(), globex.owner.userId).tenant.list()).map((t) => t.slug).sort()).toEqual(
      [acme.slug, globex.slug].sort(),
    );
  });

  it("revoked, expired, superseded and tampered links are refused", async () => {
    const acme = await createTestTenant(testDb());
    const admin = callerFor(testDb(), acme.owner.userId, acme.slug);
    const anon = callerFor(testDb(), null);
    const email = `${unique("x")}@acme.test`;

    const first = await admin.invite.create({ email, role: "employee" });
    const second = await admin.invite.create({ email, role: "employee" });
    expect((await anon.invite.preview({ token: tokenOf(first.url) })).status).toBe("revoked");

    await admin.invite.revoke({ inviteId: second.id });
    expect(
      await rejection(anon.invite.accept({ token: tokenOf(second.url), name: "X", password: PASSWORD })),
    ).toMatchObject({
      message: "This invitation was withdrawn",
    });

    const third = await admin.invite.create({ email, role: "employee" });
    await withOwner((db) =>
      db.query(`UPDATE "Invite" SET "expiresAt" = now() - interval '1 minute' WHERE id = $1`, [third.id]),
    );
    expect(
      await rejection(anon.invite.accept({ token: tokenOf(third.url), name: "X", password: PASSWORD })),
    ).toMatchObject({
      code: "CONFLICT",
      message: "This invitation has expired; ask for a new one",
    });

    const tampered = tokenOf(third.url).replace(/^./, (c) => (c === "A" ? "B" : "A"));
    expect((await rejection(anon.invite.preview({ token: tampered }))).code).toBe("NOT_FOUND");
  });

  it("only owners invite owners; admins manage other members; employees manage nobody", async () => {
    const acme = await createTestTenant(testDb());
    const admin = await acme.add("admin");
    const employee = await acme.add("employee");
    const asAdmin = callerFor(testDb(), admin.userId, acme.slug);
    expect((await rejection(asAdmin.invite.create({ email: "boss@acme.test", role: "owner" }))).code).toBe(
      "FORBIDDEN",
    );
    expect(
      (
        await rejection(
          asAdmin.member.changeRole({ membershipId: acme.owner.membershipId, role: "employee" }),
        )
      ).code,
    ).toBe("FORBIDDEN");
    expect(
      (await asAdmin.member.changeRole({ membershipId: employee.membershipId, role: "approver" })).role,
    ).toBe("approver");

    const asEmployee = callerFor(testDb(), employee.userId, acme.slug);
    expect(await rejection(asEmployee.invite.list())).toEqual({
      code: "FORBIDDEN",
      message: "Your role (approver) cannot do this",
    });
    expect((await asEmployee.member.list()).length).toBe(3);
  });

  it("never leaves a tenant without an owner", async () => {
    const acme = await createTestTenant(testDb());
    const owner = callerFor(testDb(), acme.owner.userId, acme.slug);
    expect(
      (await rejection(owner.member.changeRole({ membershipId: acme.owner.membershipId, role: "admin" })))
        .code,
    ).toBe("CONFLICT");
    expect((await rejection(owner.member.remove({ membershipId: acme.owner.membershipId }))).code).toBe(
      "CONFLICT",
    );
    const second = await acme.add("owner");
    await owner.member.changeRole({ membershipId: acme.owner.membershipId, role: "admin" });
    const roles = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      tx.membership.findMany({ where: { role: "owner" } }),
    );
    expect(roles.map((r) => r.userId)).toEqual([second.userId]);
  });

  it("removing a member ends their access to the tenant", async () => {
    const acme = await createTestTenant(testDb());
    const employee = await acme.add("employee");
    await callerFor(testDb(), acme.owner.userId, acme.slug).member.remove({
      membershipId: employee.membershipId,
    });
    const gone = await rejection(callerFor(testDb(), employee.userId, acme.slug).member.list());
    expect(gone).toEqual({ code: "NOT_FOUND", message: "Tenant not found" });
  });
});

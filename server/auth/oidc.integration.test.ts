import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { createTestTenant, testDb, unique } from "@/server/testing/fixtures";
import { userForOidcIdentity } from "./oidc";

const identity = (sub: string, email: string, emailVerified = true) => ({
  provider: "oidc",
  providerAccountId: sub,
  email,
  name: "Sam Sso",
  emailVerified,
});

describe("OIDC sign-in", () => {
  it("creates a user for a new verified identity and finds it again by subject", async () => {
    const sub = unique("sub");
    const email = `${sub}@sso.test`;
    const first = await userForOidcIdentity(testDb(), identity(sub, email.toUpperCase()));
    const again = await userForOidcIdentity(testDb(), identity(sub, "changed-at-idp@sso.test"));
    expect(again).toBe(first);
    const user = await testDb().user.findUniqueOrThrow({ where: { id: first } });
    expect(user).toMatchObject({ email, name: "Sam Sso", passwordHash: null });
  });

  it("links an existing account only when the provider verified the email", async () => {
    const { owner } = await createTestTenant(testDb());
    await expect(userForOidcIdentity(testDb(), identity(unique("sub"), owner.email, false))).rejects.toThrow(
      AppError,
    );
    expect(await userForOidcIdentity(testDb(), identity(unique("sub"), owner.email))).toBe(owner.userId);
  });
});

import { describe, expect, it } from "vitest";
import { env } from "@/server/env.js";
import { AppError } from "@/server/errors";
import { PASSWORD, createTestTenant, testDb } from "@/server/testing/fixtures";
import { createSession, resolveSession, revokeOtherSessions, revokeSession } from "./sessions";
import { signInWithPassword } from "./sign-in";

const attempt = (email: string, password: string, ip: string) =>
  signInWithPassword(testDb(), { email, password }, ip);

async function failure(p: Promise<unknown>): Promise<AppError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe("password sign-in", () => {
  it("accepts the right password, case-insensitively on the email", async () => {
    const { owner } = await createTestTenant(testDb());
    const user = await attempt(owner.email.toUpperCase(), PASSWORD, "10.0.0.1");
    expect(user.id).toBe(owner.userId);
  });

  it("gives the same answer for an unknown account and a wrong password", async () => {
    const { owner } = await createTestTenant(testDb());
    const wrong = await failure(attempt(owner.email, "not the password", "10.0.0.2"));
    const unknown = await failure(attempt("nobody@nowhere.test", "whatever", "10.0.0.2"));
    expect(wrong.code).toBe("UNAUTHORIZED");
    expect(unknown.message).toBe(wrong.message);
  });

  it("locks an account after repeated failures, even against the right password, with a clear message", async () => {
    const { owner } = await createTestTenant(testDb());
    for (let i = 0; i < env.SIGNIN_MAX_FAILURES_PER_ACCOUNT; i++) {
      expect((await failure(attempt(owner.email, `wrong ${i}`, `10.1.0.${i}`))).code).toBe("UNAUTHORIZED");
    }
    const locked = await failure(attempt(owner.email, PASSWORD, "10.1.1.1"));
    expect(locked.code).toBe("RATE_LIMITED");
    expect(locked.message).toMatch(
      /^Too many failed sign-in attempts for this account\. Try again in \d+ minutes?\.$/,
    );
  });

  it("a success resets the account's count", async () => {
    const { owner } = await createTestTenant(testDb());
    for (let i = 0; i < env.SIGNIN_MAX_FAILURES_PER_ACCOUNT - 1; i++)
      await failure(attempt(owner.email, "wrong", "10.2.0.1"));
    await attempt(owner.email, PASSWORD, "10.2.0.1");
    for (let i = 0; i < env.SIGNIN_MAX_FAILURES_PER_ACCOUNT - 1; i++)
      await failure(attempt(owner.email, "wrong", "10.2.0.1"));
    expect((await attempt(owner.email, PASSWORD, "10.2.0.1")).id).toBe(owner.userId);
  });

  it("limits one address spraying many accounts", async () => {
    const ip = "10.3.0.1";
    for (let i = 0; i < env.SIGNIN_MAX_FAILURES_PER_IP; i++)
      await failure(attempt(`spray${i}@nowhere.test`, "guess", ip));
    const { owner } = await createTestTenant(testDb());
    const blocked = await failure(attempt(owner.email, PASSWORD, ip));
    expect(blocked.code).toBe("RATE_LIMITED");
    expect(blocked.message).toContain("your network address");
    // The account itself is not locked: another address signs in.
    expect((await attempt(owner.email, PASSWORD, "10.3.0.2")).id).toBe(owner.userId);
  });
});

describe("server-side sessions", () => {
  it("end at once when revoked, and 'sign out other sessions' keeps only the current one", async () => {
    const { owner } = await createTestTenant(testDb());
    const a = await createSession(testDb(), owner.userId, { ip: "10.9.0.1", userAgent: "test" });
    const b = await createSession(testDb(), owner.userId);
    const c = await createSession(testDb(), owner.userId);
    expect(await resolveSession(testDb(), a)).toBe(owner.userId);
    await revokeSession(testDb(), a);
    expect(await resolveSession(testDb(), a)).toBeNull();
    expect(await revokeOtherSessions(testDb(), owner.userId, b)).toBe(1);
    expect(await resolveSession(testDb(), b)).toBe(owner.userId);
    expect(await resolveSession(testDb(), c)).toBeNull();
    expect(await resolveSession(testDb(), "never-existed")).toBeNull();
  });
});

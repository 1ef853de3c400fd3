import { createHash, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import {
  createTestTenant,
  testDb,
  withOwner,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { consumeActionLink, createActionLink, readActionLink } from "./action-links";

let acme: TestTenant;
let globex: TestTenant;
let approver: TestUser;

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  approver = await acme.add("approver");
});

const HOUR = 3600_000;

async function linkFor(
  tenant: TestTenant,
  user: TestUser,
  payload: Record<string, string> = { decision: "approve" },
) {
  const subjectId = randomUUID();
  const path = await withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    createActionLink(tx, {
      tenantId: tenant.id,
      userId: user.userId,
      purpose: "approval.decide",
      subjectId,
      payload,
      ttlMs: HOUR,
    }),
  );
  return { path, token: path.slice("/approve/".length), subjectId };
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  if (!(error instanceof AppError)) throw new Error("expected an AppError");
  return error;
}

describe("action links", () => {
  it("makes /approve/<32 random bytes in base64url> and reads it back without using it", async () => {
    const { path, token, subjectId } = await linkFor(acme, approver);
    expect(path).toMatch(/^\/approve\/[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);

    const first = await readActionLink(testDb(), token);
    expect(first).toEqual({
      state: "valid",
      link: {
        tenantId: acme.id,
        userId: approver.userId,
        purpose: "approval.decide",
        subjectId,
        payload: { decision: "approve" },
        expiresAt: expect.any(Date) as Date,
        usedAt: null,
        createdAt: expect.any(Date) as Date,
      },
    });
    expect(first.link?.expiresAt.getTime()).toBeGreaterThan(Date.now() + HOUR - 60_000);
    // Reading again: still valid, nothing used.
    expect((await readActionLink(testDb(), token)).state).toBe("valid");
  });

  it("is used once: the second use is refused, and reading it says used", async () => {
    const { token, subjectId } = await linkFor(acme, approver);
    const link = await consumeActionLink(testDb(), token, approver.userId);
    expect(link).toMatchObject({ tenantId: acme.id, subjectId, usedAt: null });

    const again = await refusal(consumeActionLink(testDb(), token, approver.userId));
    expect(again.code).toBe("CONFLICT");
    expect(again.message).toBe("This link has already been used");
    const read = await readActionLink(testDb(), token);
    expect(read.state).toBe("used");
    expect(read.link?.usedAt).toBeInstanceOf(Date);
  });

  it("is used once even when two uses race", async () => {
    const { token } = await linkFor(acme, approver);
    const results = await Promise.allSettled([
      consumeActionLink(testDb(), token),
      consumeActionLink(testDb(), token),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("refuses an expired link, and reading it says expired", async () => {
    const { token } = await linkFor(acme, approver);
    const hash = createHash("sha256").update(token).digest();
    await withOwner((db) =>
      db.query(
        `UPDATE mail.action_link SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 second'
          WHERE token_hash = $1`,
        [hash],
      ),
    );
    expect((await readActionLink(testDb(), token)).state).toBe("expired");
    const error = await refusal(consumeActionLink(testDb(), token));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toBe("This link has expired");
    expect((await readActionLink(testDb(), token)).link?.usedAt).toBeNull();
  });

  it("refuses someone other than the person it was mailed to, and stays unused", async () => {
    const { token } = await linkFor(acme, approver);
    const error = await refusal(consumeActionLink(testDb(), token, acme.owner.userId));
    expect(error.code).toBe("FORBIDDEN");
    expect((await readActionLink(testDb(), token)).state).toBe("valid");
    await expect(consumeActionLink(testDb(), token, approver.userId)).resolves.toMatchObject({
      userId: approver.userId,
    });
  });

  it("knows nothing of a wrong, altered or malformed token", async () => {
    const { token } = await linkFor(acme, approver);
    const altered = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    for (const wrong of [altered, "x".repeat(43), "", "../../etc/passwd", `${token}=`]) {
      expect(await readActionLink(testDb(), wrong)).toEqual({ state: "unknown", link: null });
      const error = await refusal(consumeActionLink(testDb(), wrong));
      expect(error.code).toBe("NOT_FOUND");
    }
    expect((await readActionLink(testDb(), token)).state).toBe("valid");
  });

  it("stores only the token's sha256", async () => {
    const { token } = await linkFor(acme, approver, { note: "hash only" });
    const rows = await withOwner(
      async (db) =>
        (
          await db.query<{ token_hash: Buffer; row: string }>(
            `SELECT token_hash, to_jsonb(l)::text AS row FROM mail.action_link l WHERE tenant_id = $1`,
            [acme.id],
          )
        ).rows,
    );
    const expected = createHash("sha256").update(token).digest();
    expect(rows.some((r) => r.token_hash.equals(expected))).toBe(true);
    for (const r of rows) expect(r.row).not.toContain(token);
  });

  it("is invisible to other tenants and outside any tenant; the lookup gives only its tenant", async () => {
    const { token } = await linkFor(acme, approver);
    const hash = createHash("sha256").update(token).digest();
    const asGlobex = await withTenant(testDb(), { tenantId: globex.id }, (tx) =>
      sqlOf(tx).query(`SELECT 1 FROM mail.action_link WHERE token_hash = $1`, [hash]),
    );
    expect(asGlobex).toEqual([]);
    const noTenant = await sqlOf(testDb()).query(`SELECT 1 FROM mail.action_link`);
    expect(noTenant).toEqual([]);
    const lookup = await sqlOf(testDb()).query(`SELECT mail.action_link_tenant($1)::text AS tenant_id`, [
      hash,
    ]);
    expect(lookup).toEqual([{ tenant_id: acme.id }]);
    // Globex cannot write a link into Acme either.
    await expect(
      withTenant(testDb(), { tenantId: globex.id }, (tx) =>
        createActionLink(tx, {
          tenantId: acme.id,
          userId: approver.userId,
          purpose: "approval.decide",
          subjectId: randomUUID(),
          payload: {},
          ttlMs: HOUR,
        }),
      ),
    ).rejects.toThrow();
  });

  it("refuses bad input to createActionLink", async () => {
    await expect(
      withTenant(testDb(), { tenantId: acme.id }, (tx) =>
        createActionLink(tx, {
          tenantId: acme.id,
          userId: approver.userId,
          purpose: "Approve!",
          subjectId: randomUUID(),
          payload: {},
          ttlMs: HOUR,
        }),
      ),
    ).rejects.toThrow(/purpose/);
  });
});

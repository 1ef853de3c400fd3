/**
 * The SCIM card's API over HTTP: owners and admins only; the token is in generate's answer and
 * nowhere else; generating again rotates; revoke; and the generated token works against the tenant's
 * SCIM endpoint (server/scim/http.ts) until rotated or revoked.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { authenticateScimToken } from "@/server/scim/tokens";
import {
  createTestTenant,
  testDb,
  withOwner,
  type TestTenant,
  type TestUser,
  callAs,
  expectOk,
} from "@/server/testing/fixtures";
import { generateTokenOutput } from "./generate-token.types";
import { revokeTokenOutput } from "./revoke-token.types";
import { statusOutput } from "./status.types";

const db = testDb();
let acme: TestTenant;
let acmeAdmin: TestUser;

beforeAll(async () => {
  acme = await createTestTenant(db, "acme");
  acmeAdmin = await acme.add("admin");
});

const tokens = (tenant: TestTenant) =>
  withOwner(
    async (c) =>
      (
        await c.query<{ id: string; revoked_at: Date | null }>(
          `SELECT id, revoked_at FROM scim.token WHERE tenant_id = $1 ORDER BY id`,
          [tenant.id],
        )
      ).rows,
  );

describe("scim router", () => {
  it("refuses everyone but owners and admins, and writes nothing", async () => {
    const before = await tokens(acme);
    for (const role of ["employee", "approver", "publisher"] as const) {
      const user = await acme.add(role);
      for (const path of ["scim.status", "scim.generateToken", "scim.revokeToken"]) {
        const res = await callAs(user, acme, path);
        expect(res.status, `${role} ${path}`).toBe(403);
        expect(res.data).toBeUndefined();
      }
    }
    expect(await tokens(acme)).toEqual(before);
  });

  it("returns the token on generate only; status shows its hint; generating again rotates; revoke", async () => {
    const empty = expectOk(await callAs(acme.owner, acme, "scim.status"), statusOutput);
    expect(empty).toEqual({
      baseUrl: expect.stringMatching(new RegExp(`/api/scim/v2/${acme.slug}$`)) as string,
      token: null,
    });

    const first = expectOk(await callAs(acmeAdmin, acme, "scim.generateToken"), generateTokenOutput);
    expect(first.token).toMatch(/^tnt_scim_[A-Za-z0-9_-]{43}$/);
    expect(first.rotated).toBe(false);
    expect(first.baseUrl).toBe(empty.baseUrl);
    expect(await authenticateScimToken(db, acme.slug, first.token)).toMatchObject({ tenantId: acme.id });

    const statusRes = await callAs(acme.owner, acme, "scim.status");
    const status = expectOk(statusRes, statusOutput);
    expect(status.token).toMatchObject({ hint: first.info.hint, lastUsedAt: null });
    expect(first.token.startsWith(status.token?.hint.replace("…", "") ?? "-")).toBe(true);
    expect(JSON.stringify(statusRes)).not.toContain(first.token);

    const second = expectOk(await callAs(acme.owner, acme, "scim.generateToken"), generateTokenOutput);
    expect(second.rotated).toBe(true);
    expect(second.token).not.toBe(first.token);
    expect(await authenticateScimToken(db, acme.slug, first.token)).toBeNull();
    expect(await authenticateScimToken(db, acme.slug, second.token)).not.toBeNull();

    expectOk(await callAs(acme.owner, acme, "scim.revokeToken"), revokeTokenOutput);
    expect(await authenticateScimToken(db, acme.slug, second.token)).toBeNull();
    expect(expectOk(await callAs(acme.owner, acme, "scim.status"), statusOutput).token).toBeNull();
    const again = await callAs(acme.owner, acme, "scim.revokeToken");
    expect(again.status).toBe(404);
    expect(again.error?.message).toBe("There is no SCIM token to revoke");
  });
});

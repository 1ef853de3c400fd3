/**
 * The SCIM connector's driver against Tenet's own SCIM endpoint (server/scim/) on 127.0.0.1: one
 * tenant's connection provisions accounts into another tenant, over real HTTP through the SSRF guard.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardedFetch } from "@/connectors/http/fetch";
import type { DriverContext } from "@/connectors/sdk";
import { driverContext } from "@/connectors/testing";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { startScimTestServer, type ScimTestServer } from "@/server/scim/test-server";
import { generateScimToken } from "@/server/scim/tokens";
import { createTestTenant, testDb, unique, type TestTenant } from "@/server/testing/fixtures";
import { ScimClient } from "./client";
import { scimDriver } from "./driver";
import { scimManifest } from "./manifest";

let server: ScimTestServer;
/** The tenant whose people the connector provisions (the "app"). */
let app: TestTenant;
/** The tenant that uses the connector. */
let customer: TestTenant;
let token: string;
let ctx: DriverContext;
let appClient: ScimClient;

const actions = scimDriver.actions;

function contextWith(config: Record<string, string | string[]>, secret = token): DriverContext {
  return driverContext(testDb(), customer.id, { id: randomUUID(), config, credentials: { token: secret } });
}

/** Rows the app tenant holds, to prove a dry run writes nothing (scim users, groups' members, audit). */
const counts = () =>
  withTenant(testDb(), { tenantId: app.id }, async (tx) => {
    const [row] = await sqlOf(tx).query<{
      users: number;
      members: number;
      audit: number;
      memberships: number;
    }>(
      `SELECT (SELECT count(*)::int FROM scim."user") AS users, (SELECT count(*)::int FROM scim.group_member) AS members,
              (SELECT count(*)::int FROM "AuditEntry") AS audit, (SELECT count(*)::int FROM "Membership") AS memberships`,
    );
    return row;
  });

const membershipOf = (email: string) =>
  withTenant(testDb(), { tenantId: app.id }, (tx) =>
    tx.membership.findFirst({
      where: { tenantId: app.id, user: { email } },
      select: { deactivatedAt: true },
    }),
  );

beforeAll(async () => {
  server = await startScimTestServer(testDb());
  app = await createTestTenant(testDb(), "scimapp");
  customer = await createTestTenant(testDb(), "customer");
  token = (await app.asOwner(generateScimToken)).token;
  ctx = contextWith({ baseUrl: server.baseUrl(app.slug), allowHosts: [server.host] });
  appClient = new ScimClient({
    baseUrl: server.baseUrl(app.slug),
    token,
    fetch: (url, init) => guardedFetch(url, init, { allowHosts: [server.host] }),
  });
});

afterAll(async () => {
  await server.close();
});

describe("scim connector", () => {
  it("tests the connection with the token", async () => {
    expect(await scimDriver.test?.(ctx)).toBe(
      `Connected to ${server.baseUrl(app.slug)}: SCIM 2.0, PATCH supported, filtering supported, ETags supported`,
    );
    const wrong = "tnt_scim_not-the-token";
    const refused = scimDriver.test?.(
      contextWith({ baseUrl: server.baseUrl(app.slug), allowHosts: [server.host] }, wrong),
    );
    await expect(refused).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(refused).rejects.not.toThrow(wrong);
  });

  it("refuses a plain-http URL that is not allowlisted, and a private host outside allowHosts", async () => {
    await expect(scimDriver.test?.(contextWith({ baseUrl: server.baseUrl(app.slug) }))).rejects.toMatchObject(
      {
        code: "BAD_REQUEST",
      },
    );
    const https = server.baseUrl(app.slug).replace("http:", "https:");
    await expect(scimDriver.test?.(contextWith({ baseUrl: https }))).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const noConnection = driverContext(testDb(), customer.id, null);
    await expect(actions["it.account.read"].run({}, noConnection)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("grants, revokes and grants again, with dry runs that write nothing", async () => {
    const userName = `${unique("bob")}@acme.test`;
    const group = unique("Designers");
    const created = await appClient.createGroup({ displayName: group });
    const grantInput = { userName, givenName: "Bob", familyName: "Jensen", group, app: "Acme Tenet" };

    expect(scimManifest.actions["it.access.grant"].describe(grantInput)).toBe(
      `Create account for ${userName} in Acme Tenet (group ${group})`,
    );

    const before = await counts();
    const preview = await actions["it.access.grant"].dryRun?.(grantInput, ctx);
    expect(preview).toEqual({
      changes: [
        { op: "create", object: `Acme Tenet account ${userName}`, fields: { active: { to: true } } },
        { op: "update", object: `Acme Tenet group ${group}`, fields: { members: { to: `+ ${userName}` } } },
      ],
      warnings: [],
    });
    expect(await counts()).toEqual(before);

    const granted = await actions["it.access.grant"].run(grantInput, ctx);
    expect(granted).toMatchObject({ created: true, reactivated: false, groupId: created.id });
    const account = await appClient.getUser(granted.scimUserId);
    expect(account).toMatchObject({
      userName,
      active: true,
      name: { givenName: "Bob", familyName: "Jensen" },
    });
    expect(account.groups?.map((g) => g.value)).toEqual([created.id]);
    expect(await membershipOf(userName)).toEqual({ deactivatedAt: null });

    // Again: nothing to do.
    expect((await actions["it.access.grant"].dryRun?.(grantInput, ctx))?.changes).toEqual([]);
    expect(await actions["it.access.grant"].run(grantInput, ctx)).toMatchObject({
      created: false,
      reactivated: false,
    });

    // Revoking the role only: out of the group, account still active.
    const groupOnly = { userName, group };
    const afterGrant = await counts();
    expect((await actions["it.access.revoke"].dryRun?.(groupOnly, ctx))?.changes).toEqual([
      { op: "update", object: `${server.host} group ${group}`, fields: { members: { to: `- ${userName}` } } },
    ]);
    expect(await counts()).toEqual(afterGrant);
    expect(await actions["it.access.revoke"].run(groupOnly, ctx)).toMatchObject({
      removedFromGroup: true,
      deactivated: false,
    });
    expect((await appClient.getUser(granted.scimUserId)).groups ?? []).toEqual([]);

    // The compensation of the first grant: it created the account, so its reverse deactivates it.
    const reversible = scimManifest.actions["it.access.grant"].reversible;
    const reverse = reversible === false ? null : reversible.input(grantInput, granted);
    expect(reverse).toEqual({ userName, group, deactivate: true, app: "Acme Tenet" });
    const revoked = await actions["it.access.revoke"].run({ userName }, ctx);
    expect(revoked).toMatchObject({
      deactivated: true,
      removedFromGroup: false,
      givenName: "Bob",
      familyName: "Jensen",
    });
    expect((await appClient.getUser(granted.scimUserId)).active).toBe(false);
    expect((await membershipOf(userName))?.deactivatedAt).toBeInstanceOf(Date);
    expect((await actions["it.access.revoke"].dryRun?.({ userName }, ctx))?.changes).toEqual([]);

    // Granting again reactivates the same account.
    const afterRevoke = await counts();
    expect((await actions["it.access.grant"].dryRun?.({ userName }, ctx))?.changes).toEqual([
      {
        op: "update",
        object: `${server.host} account ${userName}`,
        fields: { active: { from: false, to: true } },
      },
    ]);
    expect(await counts()).toEqual(afterRevoke);
    expect(await actions["it.access.grant"].run({ userName }, ctx)).toEqual({
      scimUserId: granted.scimUserId,
      created: false,
      reactivated: true,
      groupId: null,
    });
    expect((await membershipOf(userName))?.deactivatedAt).toBeNull();
  });

  it("refuses a grant to a group the app does not have, before creating anything", async () => {
    const userName = `${unique("nogroup")}@acme.test`;
    const before = await counts();
    await expect(
      actions["it.access.grant"].run({ userName, group: "No such group" }, ctx),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await counts()).toEqual(before);
    const preview = await actions["it.access.grant"].dryRun?.({ userName, group: "No such group" }, ctx);
    expect(preview?.warnings[0]).toContain("has no group");
  });

  it("reads accounts with a filter and paging", async () => {
    const userName = `${unique("reader")}@acme.test`;
    await actions["it.access.grant"].run({ userName }, ctx);
    const found = await actions["it.account.read"].run({ filter: `userName eq "${userName}"` }, ctx);
    expect(found).toMatchObject({
      totalResults: 1,
      accounts: [{ userName, active: true, emails: [userName] }],
    });
    const page = await actions["it.account.read"].run({ startIndex: 1, count: 1 }, ctx);
    expect(page.itemsPerPage).toBe(1);
    await expect(actions["it.account.read"].run({ filter: "userName eq" }, ctx)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

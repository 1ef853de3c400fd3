/**
 * The Access catalog page's API over HTTP (tRPC's fetch adapter and the real router): owners and
 * admins keep apps and roles, other members are refused, another tenant's app and SCIM connection are
 * not usable, and bad input is refused with the field named, writing nothing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { scimConfig, scimCredentials } from "@/connectors/scim/manifest";
import { createConnection } from "@/server/connections/connections";
import {
  callAs,
  createTestTenant,
  expectOk,
  testDb,
  unique,
  withOwner,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { appsOutput } from "./apps.types";
import { createAppOutput } from "./create-app.types";
import { createRoleOutput } from "./create-role.types";
import { scimConnectionsOutput } from "./scim-connections.types";
import { updateAppOutput } from "./update-app.types";
import { updateRoleOutput } from "./update-role.types";

let acme: TestTenant;
let globex: TestTenant;
let acmeAdmin: TestUser;
let acmeEmployee: TestUser;

const scimConnection = (tenant: TestTenant, name = unique("Figma SCIM")) =>
  tenant.asOwner(
    async (ctx) =>
      (
        await createConnection(
          ctx,
          {
            connectorId: "scim",
            name,
            credentials: { token: "scim-token-0000000000" },
            config: { baseUrl: "https://figma.example.com/scim/v2" },
          },
          { credentials: scimCredentials, config: scimConfig },
        )
      ).id,
  );

/** What the catalog procedures could write in a tenant, read as the database owner. */
const written = (tenant: TestTenant) =>
  withOwner(async (c) => ({
    apps: (
      await c.query(
        `SELECT id, name, description, scim_connection_id, archived_at FROM it.app WHERE tenant_id = $1 ORDER BY id`,
        [tenant.id],
      )
    ).rows,
    roles: (
      await c.query(
        `SELECT id, name, scim_group, approver_role, archived_at FROM it.app_role WHERE tenant_id = $1 ORDER BY id`,
        [tenant.id],
      )
    ).rows,
    audit: (await c.query(`SELECT seq FROM "AuditEntry" WHERE "tenantId" = $1`, [tenant.id])).rows.length,
  }));

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  acmeAdmin = await acme.add("admin");
  acmeEmployee = await acme.add("employee");
});

describe("accessCatalog router", () => {
  it("lets an admin add an app on a SCIM connection and a role, and archive and unarchive them", async () => {
    const connectionName = unique("Figma SCIM");
    const connectionId = await scimConnection(acme, connectionName);
    const connections = expectOk(
      await callAs(acmeAdmin, acme, "accessCatalog.scimConnections"),
      scimConnectionsOutput,
    );
    expect(connections).toContainEqual({ id: connectionId, name: connectionName, status: "untested" });

    const app = expectOk(
      await callAs(acmeAdmin, acme, "accessCatalog.createApp", {
        name: "Figma",
        description: "Design tool",
        scimConnectionId: connectionId,
      }),
      createAppOutput,
    );
    expect(app).toMatchObject({ name: "Figma", scimConnectionId: connectionId, archived: false, roles: [] });
    const role = expectOk(
      await callAs(acmeAdmin, acme, "accessCatalog.createRole", {
        appId: app.id,
        name: "Editor",
        scimGroup: "figma-editors",
        approverRole: "approver",
      }),
      createRoleOutput,
    );
    expect(role).toEqual({
      id: role.id,
      appId: app.id,
      name: "Editor",
      scimGroup: "figma-editors",
      approverRole: "approver",
      archived: false,
    });

    const archivedRole = expectOk(
      await callAs(acmeAdmin, acme, "accessCatalog.updateRole", {
        roleId: role.id,
        approverRole: null,
        archived: true,
      }),
      updateRoleOutput,
    );
    expect(archivedRole).toMatchObject({ approverRole: null, archived: true, scimGroup: "figma-editors" });
    const archivedApp = expectOk(
      await callAs(acme.owner, acme, "accessCatalog.updateApp", {
        appId: app.id,
        name: "Figma Enterprise",
        scimConnectionId: null,
        archived: true,
      }),
      updateAppOutput,
    );
    expect(archivedApp).toMatchObject({ name: "Figma Enterprise", scimConnectionId: null, archived: true });

    // The admin view keeps archived apps and roles, so they can be brought back.
    const apps = expectOk(await callAs(acmeAdmin, acme, "accessCatalog.apps"), appsOutput);
    expect(apps.find((a) => a.id === app.id)).toMatchObject({
      archived: true,
      roles: [{ id: role.id, archived: true }],
    });
    const restored = expectOk(
      await callAs(acmeAdmin, acme, "accessCatalog.updateApp", { appId: app.id, archived: false }),
      updateAppOutput,
    );
    expect(restored).toMatchObject({ name: "Figma Enterprise", archived: false });
  });

  it("refuses employees every catalog call, and writes nothing", async () => {
    const app = expectOk(
      await callAs(acmeAdmin, acme, "accessCatalog.createApp", { name: unique("Slack") }),
      createAppOutput,
    );
    const role = expectOk(
      await callAs(acmeAdmin, acme, "accessCatalog.createRole", { appId: app.id, name: "Member" }),
      createRoleOutput,
    );
    const before = await written(acme);
    const attempts = [
      await callAs(acmeEmployee, acme, "accessCatalog.apps"),
      await callAs(acmeEmployee, acme, "accessCatalog.scimConnections"),
      await callAs(acmeEmployee, acme, "accessCatalog.createApp", { name: "Mine" }),
      await callAs(acmeEmployee, acme, "accessCatalog.updateApp", { appId: app.id, archived: true }),
      await callAs(acmeEmployee, acme, "accessCatalog.createRole", { appId: app.id, name: "Admin" }),
      await callAs(acmeEmployee, acme, "accessCatalog.updateRole", { roleId: role.id, approverRole: null }),
    ];
    expect(attempts.map((r) => r.status)).toEqual(Array(6).fill(403));
    for (const r of attempts) expect(r.error?.message).toMatch(/cannot do this/);
    expect(await written(acme)).toEqual(before);
  });

  it("answers NOT_FOUND for another tenant's app and role ids, and Acme is unchanged", async () => {
    const app = expectOk(
      await callAs(acmeAdmin, acme, "accessCatalog.createApp", { name: unique("Notion") }),
      createAppOutput,
    );
    const role = expectOk(
      await callAs(acmeAdmin, acme, "accessCatalog.createRole", { appId: app.id, name: "Writer" }),
      createRoleOutput,
    );
    const before = await written(acme);
    const attempts = [
      await callAs(globex.owner, globex, "accessCatalog.updateApp", { appId: app.id, name: "Stolen" }),
      await callAs(globex.owner, globex, "accessCatalog.createRole", { appId: app.id, name: "Backdoor" }),
      await callAs(globex.owner, globex, "accessCatalog.updateRole", { roleId: role.id, name: "Stolen" }),
    ];
    expect(attempts.map((r) => r.status)).toEqual([404, 404, 404]);
    expect(JSON.stringify(attempts)).not.toContain(app.name);
    expect(await written(acme)).toEqual(before);
    const globexApps = expectOk(await callAs(globex.owner, globex, "accessCatalog.apps"), appsOutput);
    expect(globexApps.map((a) => a.id)).not.toContain(app.id);
  });

  it("refuses a SCIM connection of another tenant, or a connection that is not SCIM", async () => {
    const acmeConnection = await scimConnection(acme);
    const globexApp = expectOk(
      await callAs(globex.owner, globex, "accessCatalog.createApp", { name: unique("Miro") }),
      createAppOutput,
    );
    const globexBefore = await written(globex);
    const acmeBefore = await written(acme);
    const attempts = [
      await callAs(globex.owner, globex, "accessCatalog.createApp", {
        name: "Borrowed",
        scimConnectionId: acmeConnection,
      }),
      await callAs(globex.owner, globex, "accessCatalog.updateApp", {
        appId: globexApp.id,
        scimConnectionId: acmeConnection,
      }),
    ];
    expect(attempts.map((r) => r.status)).toEqual([400, 400]);
    expect(attempts.map((r) => r.error?.data.fieldErrors)).toEqual([
      { scimConnectionId: ["No such connection"] },
      { scimConnectionId: ["No such connection"] },
    ]);
    expect(
      expectOk(
        await callAs(globex.owner, globex, "accessCatalog.scimConnections"),
        scimConnectionsOutput,
      ).map((c) => c.id),
    ).not.toContain(acmeConnection);
    expect(await written(globex)).toEqual(globexBefore);
    expect(await written(acme)).toEqual(acmeBefore);
  });

  it("answers bad input with BAD_REQUEST naming the field, and writes nothing", async () => {
    const app = expectOk(
      await callAs(acmeAdmin, acme, "accessCatalog.createApp", { name: unique("Linear") }),
      createAppOutput,
    );
    const taken = expectOk(
      await callAs(acmeAdmin, acme, "accessCatalog.createApp", { name: unique("Jira") }),
      createAppOutput,
    );
    const before = await written(acme);
    const bad = [
      await callAs(acmeAdmin, acme, "accessCatalog.createApp", { name: "  " }),
      await callAs(acmeAdmin, acme, "accessCatalog.createApp", { name: "X", scimConnectionId: "scim-1" }),
      await callAs(acmeAdmin, acme, "accessCatalog.updateApp", {
        appId: app.id,
        description: "d".repeat(2001),
      }),
      await callAs(acmeAdmin, acme, "accessCatalog.createRole", { appId: app.id, name: "" }),
      await callAs(acmeAdmin, acme, "accessCatalog.createRole", {
        appId: app.id,
        name: "Boss",
        approverRole: "king",
      }),
      await callAs(acmeAdmin, acme, "accessCatalog.updateRole", { roleId: "role-1", name: "R" }),
    ];
    expect(bad.map((r) => r.status)).toEqual(Array(6).fill(400));
    expect(bad.map((r) => Object.keys(r.error?.data.fieldErrors ?? {}))).toEqual([
      ["name"],
      ["scimConnectionId"],
      ["description"],
      ["name"],
      ["approverRole"],
      ["roleId"],
    ]);
    // A name in use is a conflict on the name field.
    const conflict = await callAs(acmeAdmin, acme, "accessCatalog.updateApp", {
      appId: app.id,
      name: taken.name.toUpperCase(),
    });
    expect(conflict.status).toBe(409);
    expect(conflict.error?.data.fieldErrors).toEqual({ name: ["Already in use"] });
    expect(await written(acme)).toEqual(before);
  });
});

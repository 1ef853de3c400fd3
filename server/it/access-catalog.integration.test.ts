import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { AppError } from "@/server/errors";
import type { TenantContext } from "@/server/tenancy/context";
import { createTestTenant, testDb, unique, type TestTenant, type TestUser } from "@/server/testing/fixtures";
import {
  createApp,
  createAppRole,
  listApps,
  listRequestable,
  requestableRole,
  updateApp,
  updateAppRole,
} from "./access-catalog";

let acme: TestTenant;
let globex: TestTenant;
let employee: TestUser;
let admin: TestUser;

const as = <T>(tenant: TestTenant, user: TestUser, fn: (ctx: TenantContext) => Promise<T>) =>
  withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    fn({
      tenantId: tenant.id,
      actor: { userId: user.userId, membershipId: user.membershipId, role: user.role },
      db: tx,
    }),
  );

/** A connection row of `connectorId` (the catalog reads only its connector id, never its credentials). */
const connection = (tenant: TestTenant, connectorId: string) =>
  tenant.asOwner(async (ctx) => {
    const row = await ctx.db.connection.create({
      data: {
        id: randomUUID(),
        tenantId: ctx.tenantId,
        connectorId,
        name: unique(connectorId),
        credentials: "v1:test:unused",
        keyId: "test",
        credentialsHint: "••••test",
        createdById: ctx.actor.userId,
      },
      select: { id: true },
    });
    return row.id;
  });

const code = async (promise: Promise<unknown>) => {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  return error instanceof AppError ? error.code : error;
};

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  employee = await acme.add("employee");
  admin = await acme.add("admin");
});

describe("access catalog", () => {
  it("lets admins create and update apps and roles, and members list what is requestable", async () => {
    const scim = await connection(acme, "scim");
    const figma = await as(acme, admin, (ctx) =>
      createApp(ctx, { name: "Figma", description: "Design", scimConnectionId: scim }),
    );
    expect(figma).toMatchObject({
      name: "Figma",
      scimConnectionId: scim,
      owner: { userId: admin.userId },
      roles: [],
    });
    const editor = await as(acme, admin, (ctx) =>
      createAppRole(ctx, {
        appId: figma.id,
        name: "Editor",
        scimGroup: "Figma Editors",
        approverRole: "approver",
      }),
    );
    const viewer = await acme.asOwner((ctx) => createAppRole(ctx, { appId: figma.id, name: "Viewer" }));
    expect(viewer).toMatchObject({ scimGroup: null, approverRole: null });
    // An app without roles is not requestable.
    await as(acme, admin, (ctx) => createApp(ctx, { name: "Empty" }));

    expect(await as(acme, employee, listRequestable)).toEqual([
      {
        id: figma.id,
        name: "Figma",
        description: "Design",
        roles: [
          { id: editor.id, name: "Editor", requiresApproval: true, approverRole: "approver" },
          { id: viewer.id, name: "Viewer", requiresApproval: false, approverRole: null },
        ],
      },
    ]);
    expect(await acme.asOwner((ctx) => requestableRole(ctx.db, ctx.tenantId, editor.id))).toEqual({
      app: { id: figma.id, name: "Figma", scimConnectionId: scim, ownerUserId: admin.userId },
      role: { id: editor.id, name: "Editor", scimGroup: "Figma Editors", approverRole: "approver" },
    });

    await as(acme, admin, (ctx) => updateAppRole(ctx, { roleId: viewer.id, archived: true }));
    const renamed = await as(acme, admin, (ctx) =>
      updateApp(ctx, { appId: figma.id, name: "Figma Design", ownerUserId: employee.userId }),
    );
    expect(renamed).toMatchObject({ name: "Figma Design", owner: { userId: employee.userId } });
    expect((await as(acme, employee, listRequestable))[0]?.roles.map((r) => r.name)).toEqual(["Editor"]);
    expect(await acme.asOwner((ctx) => requestableRole(ctx.db, ctx.tenantId, viewer.id))).toBeNull();
    expect((await acme.asOwner(listApps)).find((a) => a.id === figma.id)?.roles).toHaveLength(2);

    await as(acme, admin, (ctx) => updateApp(ctx, { appId: figma.id, archived: true }));
    expect(await as(acme, employee, listRequestable)).toEqual([]);

    const audit = await acme.asOwner((ctx) =>
      ctx.db.auditEntry.findMany({
        where: { tenantId: ctx.tenantId, action: { startsWith: "it.app" } },
        select: { action: true },
      }),
    );
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        "it.app.created",
        "it.app_role.created",
        "it.app.updated",
        "it.app_role.updated",
      ]),
    );
  });

  it("refuses members, bad input, duplicates, non-SCIM connections and another tenant's ids", async () => {
    expect(await code(as(acme, employee, (ctx) => createApp(ctx, { name: "Slack" })))).toBe("FORBIDDEN");
    expect(await code(as(acme, employee, listApps))).toBe("FORBIDDEN");
    expect(await code(acme.asOwner((ctx) => createApp(ctx, { name: " " })))).toBe("BAD_REQUEST");
    const slack = await acme.asOwner((ctx) => createApp(ctx, { name: "Slack" }));
    expect(await code(acme.asOwner((ctx) => createApp(ctx, { name: "SLACK" })))).toBe("CONFLICT");
    await acme.asOwner((ctx) => createAppRole(ctx, { appId: slack.id, name: "Member" }));
    expect(await code(acme.asOwner((ctx) => createAppRole(ctx, { appId: slack.id, name: "member" })))).toBe(
      "CONFLICT",
    );
    expect(
      await code(
        acme.asOwner((ctx) =>
          createAppRole(ctx, { appId: slack.id, name: "Boss", approverRole: "king" as never }),
        ),
      ),
    ).toBe("BAD_REQUEST");

    const http = await connection(acme, "http");
    expect(await code(acme.asOwner((ctx) => createApp(ctx, { name: "Jira", scimConnectionId: http })))).toBe(
      "BAD_REQUEST",
    );
    const theirs = await connection(globex, "scim");
    expect(
      await code(acme.asOwner((ctx) => createApp(ctx, { name: "Jira", scimConnectionId: theirs }))),
    ).toBe("BAD_REQUEST");
    expect(
      await code(acme.asOwner((ctx) => createApp(ctx, { name: "Jira", ownerUserId: globex.owner.userId }))),
    ).toBe("BAD_REQUEST");

    // Globex's admins cannot see or change Acme's app: not found, and the app is unchanged.
    expect(await code(globex.asOwner((ctx) => updateApp(ctx, { appId: slack.id, name: "Taken" })))).toBe(
      "NOT_FOUND",
    );
    expect(await code(globex.asOwner((ctx) => createAppRole(ctx, { appId: slack.id, name: "Spy" })))).toBe(
      "NOT_FOUND",
    );
    expect(await globex.asOwner(listApps)).toEqual([]);
    expect((await acme.asOwner(listApps)).find((a) => a.id === slack.id)?.name).toBe("Slack");
  });
});

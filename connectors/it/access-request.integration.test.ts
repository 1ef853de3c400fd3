import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { createApp, createAppRole, updateAppRole } from "@/server/it/access-catalog";
import { requestAccess } from "@/server/it/access-requests";
import { createTestTenant, testDb, type TestTenant, type TestUser } from "@/server/testing/fixtures";
import { actingAs, driverContext } from "../testing";
import { itDriver } from "./driver";
import { itManifest } from "./manifest";

const request = itDriver.actions["it.access.request"];
const spec = itManifest.actions["it.access.request"];

let acme: TestTenant;
let globex: TestTenant;
let erin: TestUser;
let frank: TestUser;
let editorRoleId: string;
let viewerRoleId: string;
let appId: string;
let foreignRoleId: string;

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  erin = await acme.add("employee");
  frank = await acme.add("employee");
  ({ editorRoleId, viewerRoleId, appId } = await acme.asOwner(async (ctx) => {
    const app = await createApp(ctx, { name: "Figma" });
    const editor = await createAppRole(ctx, { appId: app.id, name: "Editor", approverRole: "approver" });
    const viewer = await createAppRole(ctx, { appId: app.id, name: "Viewer" });
    return { editorRoleId: editor.id, viewerRoleId: viewer.id, appId: app.id };
  }));
  foreignRoleId = await globex.asOwner(async (ctx) => {
    const app = await createApp(ctx, { name: "Figma" });
    return (await createAppRole(ctx, { appId: app.id, name: "Editor" })).id;
  });
});

const requests = (tenant: TestTenant) =>
  withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    sqlOf(tx).query<{ role_id: string; user_id: string; status: string; approver_role: string | null }>(
      `SELECT role_id::text, user_id::text, status, approver_role::text FROM it.access_request ORDER BY created_at`,
    ),
  );

describe("it.access.request", () => {
  it("acts for the caller: an employee's agent asks for the employee, never for someone else", async () => {
    const gina = await acme.add("employee");
    const agent = driverContext(
      testDb(),
      acme.id,
      null,
      actingAs(gina.userId, "3c4d5e6f-0000-4000-8000-0000000a9e17"),
    );
    const before = await requests(acme);
    const forErin = spec.input.parse({
      roleId: viewerRoleId,
      userId: erin.userId,
      reason: "Gina asks for Erin",
    });
    await expect(request.run(forErin, agent)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await requests(acme)).toEqual(before);
    const own = await request.run(
      spec.input.parse({ roleId: viewerRoleId, userId: gina.userId, reason: "Prototypes" }),
      agent,
    );
    expect(own).toMatchObject({ userId: gina.userId, status: "pending" });
    const [row] = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ requested_by: string | null }>(
        `SELECT requested_by::text FROM it.access_request WHERE id = $1::uuid`,
        [own.requestId],
      ),
    );
    expect(row?.requested_by).toBe(gina.userId);
  });

  it("records a pending request with the role's approver; the output matches the schema", async () => {
    const input = spec.input.parse({ roleId: editorRoleId, userId: erin.userId, reason: "Design reviews" });
    expect(spec.resources?.(input)).toEqual([{ key: `access-request:${editorRoleId}:${erin.userId}` }]);
    const output = await request.run(
      input,
      driverContext(testDb(), acme.id, null, actingAs(acme.owner.userId)),
    );
    expect(spec.output.parse(output)).toEqual(output);
    expect(output).toMatchObject({
      appId,
      app: "Figma",
      roleId: editorRoleId,
      role: "Editor",
      userId: erin.userId,
      status: "pending",
      approverRole: "approver",
    });
    expect(await requests(acme)).toContainEqual({
      role_id: editorRoleId,
      user_id: erin.userId,
      status: "pending",
      approver_role: "approver",
    });
    // Asking again while it is open is a conflict, not a second row.
    await expect(
      request.run(input, driverContext(testDb(), acme.id, null, actingAs(acme.owner.userId))),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("already has an open request (pending) for Figma / Editor") as string,
    });
  });

  it("dry-runs without writing, and refuses bad input, archived or foreign roles and outsiders, writing nothing", async () => {
    const ctx = driverContext(testDb(), acme.id, null, actingAs(acme.owner.userId));
    const before = await requests(acme);
    const preview = await request.dryRun?.(
      { roleId: viewerRoleId, userId: frank.userId, reason: "Read specs" },
      ctx,
    );
    expect(preview).toEqual({
      changes: [
        {
          op: "create",
          object: "access request for Figma / Viewer for acme employee",
          fields: { user: { to: frank.email }, reason: { to: "Read specs" }, status: { to: "pending" } },
        },
      ],
      warnings: [],
    });
    expect(spec.input.safeParse({ roleId: viewerRoleId, userId: frank.userId, reason: "  " }).success).toBe(
      false,
    );
    await expect(request.run({ roleId: "x", userId: frank.userId, reason: "r" }, ctx)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      request.run({ roleId: foreignRoleId, userId: frank.userId, reason: "r" }, ctx),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      request.run({ roleId: viewerRoleId, userId: globex.owner.userId, reason: "r" }, ctx),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await acme.asOwner((ctx2) => updateAppRole(ctx2, { roleId: viewerRoleId, archived: true }));
    await expect(
      request.run({ roleId: viewerRoleId, userId: frank.userId, reason: "r" }, ctx),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await requests(acme)).toEqual(before);
  });

  it("lets members ask for themselves only, through the domain function", async () => {
    const asFrank = <T>(fn: Parameters<typeof withTenant<T>>[2]) =>
      withTenant(testDb(), { tenantId: acme.id }, fn);
    const actor = { userId: frank.userId, membershipId: frank.membershipId, role: frank.role };
    await expect(
      asFrank((tx) =>
        requestAccess(
          { tenantId: acme.id, db: tx, actor },
          { roleId: editorRoleId, userId: erin.userId, reason: "r" },
        ),
      ),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const own = await asFrank((tx) =>
      requestAccess(
        { tenantId: acme.id, db: tx, actor },
        { roleId: editorRoleId, userId: frank.userId, reason: "Mine" },
      ),
    );
    expect(own).toMatchObject({ userId: frank.userId, status: "pending" });
  });
});

/**
 * Onboarding and offboarding plans against a real tenant: HR, the access catalog with a real SCIM
 * connection (to another tenant's SCIM endpoint, served by the test server), IT's devices and a desk.
 * Each planned syscall's input passes its action's schema, and the kernel, previewing it as the
 * requester with an admin's approval, does not deny it (its dry run runs for real, writing nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardedFetch } from "@/connectors/http/fetch";
import { installedTools } from "@/connectors";
import { scimConfig, scimCredentials } from "@/connectors/scim/manifest";
import { ScimClient } from "@/connectors/scim/client";
import { createConnection } from "@/server/connections/connections";
import type { Tx } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { createTestSite } from "@/server/facilities/testing";
import { hire } from "@/server/hr/fixtures";
import { createDepartment, terminateEmployee, type EmployeeView } from "@/server/hr/employees";
import { createApp, createAppRole } from "@/server/it/access-catalog";
import { assignDevice, createDevice } from "@/server/it/devices";
import { AccessEvaluator } from "@/server/kernel/access/evaluator";
import { Kernel, type KernelContext, type Syscall } from "@/server/kernel/kernel";
import { startScimTestServer, type ScimTestServer } from "@/server/scim/test-server";
import { generateScimToken } from "@/server/scim/tokens";
import {
  createTestTenant,
  kernelDeps,
  testDb,
  unique,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { withOutputs, type Prepared, type Requester } from "../definition";
import { offboardingForm, onboardingForm, type FormInput } from "../forms";
import { newEmployeeNumber, offboarding, onboarding } from "./people";

const kernel = new Kernel({
  db: testDb,
  tools: installedTools,
  evaluator: new AccessEvaluator(),
  ...kernelDeps(),
});

let server: ScimTestServer;
/** The tenant whose SCIM endpoint plays the app ("Figma"). */
let figmaTenant: TestTenant;
let acme: TestTenant;
let admin: TestUser;
/** A manager in HR (one report): who asks. */
let managerUser: TestUser;
let manager: EmployeeView;
let requester: Requester;
let departmentId: string;
let editorRoleId: string;
let deskId: string;
let connectionId: string;
let appClient: ScimClient;
let group: string;

const asRequester = (): KernelContext => ({
  tenantId: acme.id,
  principal: { type: "user", userId: managerUser.userId },
});

const prepareAs = <T>(fn: (tx: Tx) => T | Promise<T>) =>
  withTenant(testDb(), { tenantId: acme.id }, async (tx) => fn(tx));

/** Every step's syscall, those needing earlier outputs built from `prior`. */
const built = (prepared: Prepared, prior: Record<string, unknown> = {}) =>
  prepared.steps.map((step) => ({
    key: step.key,
    syscall: withOutputs(step.syscall, prior),
    describeBefore: step.describeBefore,
  }));

/** The syscall's input passes its action's schema, and the kernel's preview with an admin's approval allows it. */
async function expectAllowed(syscall: Syscall) {
  const tool = installedTools.find(syscall.action);
  expect(tool, syscall.action).toBeDefined();
  const parsed = tool?.input.safeParse(syscall.input);
  expect(parsed?.success, `${syscall.action}: ${JSON.stringify(parsed?.error?.issues ?? [])}`).toBe(true);
  const preview = await kernel.preview(asRequester(), {
    ...syscall,
    approvals: [{ approver: "role:admin", userId: admin.userId }],
  });
  expect(preview.decision, `${syscall.action} ${syscall.resourceLabel ?? ""}`).toMatchObject({
    decision: "allow",
  });
  return preview;
}

/**
 * The dry runs previewed by an owner (with the admin's approval: nobody approves their own call). The built-in hris and it drivers act as the member the call is
 * for and keep their own owner/admin check, so previewed as the requester (a manager) they say "Could
 * not preview the changes"; as an owner they show what the syscall would do, proving its input is one
 * the domain takes (department, manager, device in stock, the desk free).
 */
async function dryRunsByAdmin(syscalls: Syscall[]) {
  const previews = [];
  for (const syscall of syscalls) {
    const preview = await kernel.preview(
      { tenantId: acme.id, principal: { type: "user", userId: acme.owner.userId } },
      { ...syscall, approvals: [{ approver: "role:admin", userId: admin.userId }] },
    );
    expect(preview.decision.decision, syscall.action).toBe("allow");
    expect(
      preview.warnings.filter((w) => w.startsWith("Could not preview")),
      syscall.action,
    ).toEqual([]);
    previews.push(preview);
  }
  return previews;
}

beforeAll(async () => {
  server = await startScimTestServer(testDb());
  figmaTenant = await createTestTenant(testDb(), "figmaapp");
  const token = (await figmaTenant.asOwner(generateScimToken)).token;
  appClient = new ScimClient({
    baseUrl: server.baseUrl(figmaTenant.slug),
    token,
    fetch: (url, init) => guardedFetch(url, init, { allowHosts: [server.host] }),
  });
  group = unique("Editors");
  await appClient.createGroup({ displayName: group });

  acme = await createTestTenant(testDb(), "acme");
  admin = await acme.add("admin");
  managerUser = await acme.add("employee");
  requester = { id: managerUser.userId, name: "Maria Manager", email: managerUser.email };
  manager = await hire(acme, { email: managerUser.email, givenName: "Maria", familyName: "Manager" });
  await hire(acme, { managerId: manager.id });
  departmentId = (await acme.asOwner((ctx) => createDepartment(ctx, { name: unique("Design") }))).id;

  connectionId = (
    await acme.asOwner((ctx) =>
      createConnection(
        ctx,
        {
          connectorId: "scim",
          name: unique("Figma SCIM"),
          credentials: { token },
          config: { baseUrl: server.baseUrl(figmaTenant.slug), allowHosts: [server.host] },
        },
        { credentials: scimCredentials, config: scimConfig },
      ),
    )
  ).id;
  const app = await acme.asOwner((ctx) => createApp(ctx, { name: "Figma", scimConnectionId: connectionId }));
  editorRoleId = (
    await acme.asOwner((ctx) => createAppRole(ctx, { appId: app.id, name: "Editor", scimGroup: group }))
  ).id;
  await acme.asOwner((ctx) =>
    createDevice(ctx, { assetTag: unique("LT"), kind: "laptop", model: "ThinkPad X1", serial: unique("SN") }),
  );
  const site = await createTestSite(acme, "Europe/Berlin", [{ name: "Desk 4", kind: "desk" }]);
  deskId = site.spaces[0]?.id ?? "";
});

afterAll(async () => {
  await server.close();
});

describe("onboarding", () => {
  const form = () =>
    onboardingForm.parse({
      givenName: "Nina",
      familyName: "Newcomer",
      email: `${unique("nina")}@acme.test`,
      jobTitle: "Product designer",
      departmentId,
      managerEmployeeId: manager.id,
      startDate: "2031-03-03",
      accessRoleIds: [editorRoleId],
      deviceKind: "laptop",
      deskId,
    });

  it("plans the HR record, the app account, a laptop for the record and a desk on the first day, each allowed with an admin's approval", async () => {
    const input = form();
    const prepared = await prepareAs((tx) => onboarding.prepare({ tx, tenantId: acme.id, requester }, input));
    expect(prepared.title).toBe("Onboarding Nina Newcomer, starting 2031-03-03");
    expect(prepared.requiredLevels ?? []).toEqual([]);
    expect(onboarding.defaultRule.levels.map((l) => l.approver)).toEqual(["role:admin"]);
    expect(prepared.steps.map((s) => [s.key, s.as])).toEqual([
      ["employee", "requester"],
      [`access:${editorRoleId}`, "requester"],
      ["device", "requester"],
      ["desk", "requester"],
    ]);
    expect(prepared.steps[2]).toMatchObject({
      syscall: { action: "it.device.assign", input: { employeeId: "{{employee.employee.id}}" } },
      describeBefore: expect.any(String) as unknown,
    });

    // The device goes to the record the first step makes; an existing record stands in for it here.
    const standIn = await hire(acme, { givenName: "Stand", familyName: "In" });
    const steps = built(prepared, { employee: { employee: { id: standIn.id } } });
    const [employee, access, device, desk] = steps.map((s) => s.syscall);
    expect(employee).toMatchObject({
      action: "hr.employee.create",
      resource: { type: "Employee", id: "new", attrs: { userId: "nobody", managerId: managerUser.userId } },
      input: {
        employeeNumber: newEmployeeNumber("2031-03-03", input.email),
        email: input.email,
        title: "Product designer",
        departmentId,
        managerId: manager.id,
        startDate: "2031-03-03",
      },
    });
    expect(access).toMatchObject({
      action: "it.access.grant",
      connectionId,
      resource: { type: "AppAccess", id: editorRoleId, attrs: { userId: "nobody", app: "Figma" } },
      input: { userName: input.email, group, givenName: "Nina", familyName: "Newcomer", app: "Figma" },
    });
    expect(device).toMatchObject({
      action: "it.device.assign",
      input: { kind: "laptop", employeeId: standIn.id },
    });
    expect(desk).toMatchObject({
      action: "facilities.desk.book",
      resource: { type: "Desk", id: deskId },
      input: {
        title: "First day: Nina Newcomer",
        start: "2031-03-03T09:00",
        end: "2031-03-03T17:00",
        timeZone: "Europe/Berlin",
        bookedBy: managerUser.userId,
      },
    });

    const previews = [];
    for (const step of steps) previews.push(await expectAllowed(step.syscall));
    expect(previews[1]?.changes[0]).toMatchObject({ op: "create", object: `Figma account ${input.email}` });
    expect(previews[3]?.changes[0]).toMatchObject({ op: "create", object: "Booking of Desk 4" });
    const byAdmin = await dryRunsByAdmin(steps.map((s) => s.syscall));
    expect(byAdmin[0]?.changes[0]).toMatchObject({
      op: "create",
      object: expect.stringContaining("Nina Newcomer") as unknown,
    });
    expect(byAdmin[2]?.changes[1]?.object).toContain("Stand In");
  });

  it("plans the record alone when no app, device or desk is asked for; refuses what HR or the catalog would refuse", async () => {
    const { deskId: _desk, ...rest } = form();
    const input: FormInput<"onboarding"> = { ...rest, accessRoleIds: [], deviceKind: "" };
    const prepared = await prepareAs((tx) => onboarding.prepare({ tx, tenantId: acme.id, requester }, input));
    expect(prepared.steps.map((s) => s.key)).toEqual(["employee"]);

    const refused = (changes: Partial<typeof input>) =>
      prepareAs((tx) => onboarding.prepare({ tx, tenantId: acme.id, requester }, { ...input, ...changes }));
    await expect(refused({ email: manager.email })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(refused({ accessRoleIds: [crypto.randomUUID()] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(refused({ deviceKind: "spaceship" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(refused({ managerEmployeeId: crypto.randomUUID() })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    const room = await createTestSite(acme, "Europe/Berlin", [{ name: "Boardroom", kind: "room" }]);
    await expect(refused({ deskId: room.spaces[0]?.id })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("offboarding", () => {
  it("plans closing the record, deactivating the app account and taking back the devices, each allowed with an admin's approval", async () => {
    const leaverUser = await acme.add("employee");
    const leaver = await hire(acme, {
      email: `${unique("leo")}@acme.test`,
      givenName: "Leo",
      familyName: "Leaver",
      userId: leaverUser.userId,
      managerId: manager.id,
    });
    // A laptop handed to the account and a phone to the HR record: both are the leaver's.
    const laptop = await acme.asOwner((ctx) =>
      createDevice(ctx, {
        assetTag: unique("LT"),
        kind: "laptop",
        model: "ThinkPad T14",
        serial: unique("SN"),
      }),
    );
    const phone = await acme.asOwner((ctx) =>
      createDevice(ctx, { assetTag: unique("PH"), kind: "phone", model: "Pixel 9", serial: unique("SN") }),
    );
    await acme.asOwner((ctx) => assignDevice(ctx, { deviceId: laptop.id, userId: leaverUser.userId }));
    await acme.asOwner((ctx) => assignDevice(ctx, { deviceId: phone.id, employeeId: leaver.id }));
    // Their Figma account, under their work email, as onboarding made it.
    await appClient.createUser({ userName: leaver.email, active: true });

    const input = offboardingForm.parse({
      employeeId: leaver.id,
      lastDay: "2031-06-30",
      reason: "Moving on",
    });
    const prepared = await prepareAs((tx) =>
      offboarding.prepare({ tx, tenantId: acme.id, requester }, input),
    );
    expect(prepared.title).toBe("Offboarding Leo Leaver, last day 2031-06-30");
    expect(offboarding.defaultRule.levels.map((l) => l.approver)).toEqual(["role:admin"]);
    const steps = built(prepared).map((s) => s.syscall);
    expect(steps.map((s) => s.action)).toEqual([
      "hr.employee.offboard",
      "it.access.revoke",
      "it.access.revoke",
      "it.device.return",
      "it.device.return",
    ]);
    expect(prepared.steps.every((s) => s.as === "requester" && s.describeBefore === undefined)).toBe(true);
    expect(steps[0]).toMatchObject({
      resource: {
        type: "Employee",
        id: leaver.id,
        attrs: { userId: leaverUser.userId, managerId: managerUser.userId },
      },
      input: { employeeId: leaver.id, endDate: "2031-06-30", reason: "Moving on" },
    });
    const revokes = steps.filter((s) => s.action === "it.access.revoke");
    // The work email and the account's email (the test account's differs): either may be the app's name for them.
    expect(revokes.map((s) => s.input)).toEqual([
      { userName: leaver.email, deactivate: true, app: "Figma" },
      { userName: leaverUser.email, deactivate: true, app: "Figma" },
    ]);
    expect(revokes.every((s) => s.connectionId === connectionId)).toBe(true);
    expect(
      steps
        .filter((s) => s.action === "it.device.return")
        .map((s) => s.input)
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual(
      [{ deviceId: laptop.id }, { deviceId: phone.id }].sort((a, b) =>
        JSON.stringify(a).localeCompare(JSON.stringify(b)),
      ),
    );

    const previews = [];
    for (const syscall of steps) previews.push(await expectAllowed(syscall));
    expect(previews[1]?.changes).toEqual([
      {
        op: "update",
        object: `Figma account ${leaver.email}`,
        fields: { active: { from: true, to: false } },
      },
    ]);
    expect(previews[2]?.warnings[0]).toContain("nothing to revoke");
    const byAdmin = await dryRunsByAdmin(steps);
    expect(byAdmin[0]?.changes.length).toBeGreaterThan(0);
    expect(byAdmin.slice(3).map((p) => p.changes[0]?.object)).toEqual([
      expect.stringContaining(`assignment of ${laptop.assetTag}`),
      expect.stringContaining(`assignment of ${phone.assetTag}`),
    ]);
  });

  it("refuses someone who has already left or is not in this tenant's HR", async () => {
    const other = await createTestTenant(testDb(), "globex");
    const stranger = await hire(other);
    const plan = (employeeId: string) =>
      prepareAs((tx) =>
        offboarding.prepare(
          { tx, tenantId: acme.id, requester },
          offboardingForm.parse({ employeeId, lastDay: "2031-06-30", reason: "r" }),
        ),
      );
    await expect(plan(stranger.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const gone = await hire(acme, { startDate: "2026-01-05" });
    await acme.asOwner((ctx) => terminateEmployee(ctx, { employeeId: gone.id, endDate: "2026-03-31" }));
    await expect(plan(gone.id)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(plan(manager.id).then((p) => p.steps[0]?.syscall.input)).resolves.toMatchObject({
      employeeId: manager.id,
    });
  });
});

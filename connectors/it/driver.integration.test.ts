import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { createDevice } from "@/server/it/devices";
import { hire } from "@/server/hr/fixtures";
import { createTestTenant, testDb, unique, type TestTenant, type TestUser } from "@/server/testing/fixtures";
import { actingAs, driverContext } from "../testing";
import { itDriver } from "./driver";
import { itManifest } from "./manifest";

const assign = itDriver.actions["it.device.assign"];
const giveBack = itDriver.actions["it.device.return"];
const assignSpec = itManifest.actions["it.device.assign"];
const returnSpec = itManifest.actions["it.device.return"];

let acme: TestTenant;
let globex: TestTenant;
let dana: TestUser;

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  dana = await acme.add("employee");
});

const newPhone = (tenant: TestTenant) =>
  tenant.asOwner((ctx) =>
    createDevice(ctx, { assetTag: unique("PH"), kind: "phone", model: "Pixel 9", serial: unique("SN") }),
  );

async function snapshot(tenant: TestTenant) {
  return withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    sqlOf(tx).query<{ id: string; status: string; open: number; total: number }>(
      `SELECT d.id::text, d.status,
              (SELECT count(*)::int FROM it.device_assignment a WHERE a.device_id = d.id AND a.returned_at IS NULL) AS open,
              (SELECT count(*)::int FROM it.device_assignment a WHERE a.device_id = d.id) AS total
         FROM it.device d ORDER BY d.asset_tag`,
    ),
  );
}

describe("it connector", () => {
  it("assigns and returns through the driver; outputs match the schemas and the reversal undoes the assignment", async () => {
    const phone = await newPhone(acme);
    const ctx = driverContext(testDb(), acme.id, null, actingAs(acme.owner.userId));
    const input = assignSpec.input.parse({ deviceId: phone.id, userId: dana.userId, condition: "boxed" });
    expect(assignSpec.resources?.(input)).toEqual([{ key: `device:${phone.id}` }]);

    const output = await assign.run(input, ctx);
    expect(assignSpec.output.parse(output)).toEqual(output);
    expect(output).toMatchObject({
      deviceId: phone.id,
      userId: dana.userId,
      kind: "phone",
      assetTag: phone.assetTag,
    });

    const reversal = assignSpec.reversible === false ? null : assignSpec.reversible;
    expect(reversal?.by).toBe("it.device.return");
    const returned = await giveBack.run(returnSpec.input.parse(reversal?.input(input, output)), ctx);
    expect(returnSpec.output.parse(returned)).toEqual(returned);
    expect(returned).toMatchObject({ deviceId: phone.id, userId: dana.userId, status: "in_stock" });
    expect((await snapshot(acme)).find((d) => d.id === phone.id)).toMatchObject({
      status: "in_stock",
      open: 0,
      total: 1,
    });

    // The rows name the person the call acted for and the syscall that wrote them.
    const [row] = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ assigned_by: string | null; assigned_syscall: string; returned_syscall: string }>(
        `SELECT assigned_by::text, assigned_syscall, returned_syscall FROM it.device_assignment WHERE device_id = $1::uuid`,
        [phone.id],
      ),
    );
    expect(row).toEqual({
      assigned_by: acme.owner.userId,
      assigned_syscall: ctx.syscallId,
      returned_syscall: ctx.syscallId,
    });
  });

  it("hands a device to a new hire's HR record, previews it by their name, and its reversal takes it back from the record", async () => {
    const newHire = await hire(acme, { givenName: "Omar", familyName: "Onboarding" });
    const phone = await newPhone(acme);
    const ctx = driverContext(testDb(), acme.id, null, actingAs(acme.owner.userId));
    const byKind = assignSpec.input.parse({ kind: "phone", employeeId: newHire.id });
    expect(assignSpec.describe(byKind)).toBe(`Assign the first phone in stock to employee ${newHire.id}`);
    const input = assignSpec.input.parse({ deviceId: phone.id, employeeId: newHire.id });
    const preview = await assign.dryRun?.(input, ctx);
    expect(preview?.changes[1]).toMatchObject({ fields: { user: { to: newHire.email } } });
    expect(preview?.changes[1]?.object).toContain("Omar Onboarding");

    const output = await assign.run(input, ctx);
    expect(assignSpec.output.parse(output)).toEqual(output);
    expect(output).toMatchObject({ deviceId: phone.id, userId: null, employeeId: newHire.id });
    const returned = await giveBack.run(returnSpec.input.parse({ deviceId: phone.id }), ctx);
    expect(returnSpec.output.parse(returned)).toEqual(returned);
    expect(returned).toMatchObject({ userId: null, employeeId: newHire.id });

    // Undoing the return hands it back to the same record.
    const reversal = returnSpec.reversible === false ? null : returnSpec.reversible;
    const again = assignSpec.input.parse(
      reversal?.input(returnSpec.input.parse({ deviceId: phone.id }), returned),
    );
    expect(again).toEqual({ deviceId: phone.id, employeeId: newHire.id });
    expect(await assign.run(again, ctx)).toMatchObject({ deviceId: phone.id, employeeId: newHire.id });
  });

  it("assigns the first phone in stock by kind, with no lease to take", async () => {
    const tenant = await createTestTenant(testDb(), "bykind");
    const phone = await newPhone(tenant);
    const input = assignSpec.input.parse({ kind: "phone", userId: tenant.owner.userId });
    expect(assignSpec.resources?.(input)).toEqual([]);
    const output = await assign.run(
      input,
      driverContext(testDb(), tenant.id, null, actingAs(tenant.owner.userId)),
    );
    expect(output.deviceId).toBe(phone.id);
  });

  it("dry runs show the changes and write nothing", async () => {
    const phone = await newPhone(acme);
    const ctx = driverContext(testDb(), acme.id, null, actingAs(acme.owner.userId));
    const before = await snapshot(acme);
    const preview = await assign.dryRun?.({ deviceId: phone.id, userId: dana.userId }, ctx);
    expect(preview?.changes).toEqual([
      {
        op: "update",
        object: `device ${phone.assetTag} (Pixel 9)`,
        fields: { status: { from: "in_stock", to: "assigned" } },
      },
      {
        op: "create",
        object: `assignment of ${phone.assetTag} to acme employee`,
        fields: { user: { to: dana.email } },
      },
    ]);
    expect(await snapshot(acme)).toEqual(before);

    await assign.run({ deviceId: phone.id, userId: dana.userId }, ctx);
    const assigned = await snapshot(acme);
    const returnPreview = await giveBack.dryRun?.({ deviceId: phone.id, to: "repair" }, ctx);
    expect(returnPreview?.changes[1]).toEqual({
      op: "update",
      object: `device ${phone.assetTag} (Pixel 9)`,
      fields: { status: { from: "assigned", to: "repair" } },
    });
    expect(await snapshot(acme)).toEqual(assigned);
  });

  it("bad input, a taken device, a foreign device or person: refused, nothing written", async () => {
    const phone = await newPhone(acme);
    const foreignPhone = await newPhone(globex);
    const ctx = driverContext(testDb(), acme.id, null, actingAs(acme.owner.userId));
    await assign.run({ deviceId: phone.id, userId: dana.userId }, ctx);
    const before = await snapshot(acme);

    expect(
      assignSpec.input.safeParse({ deviceId: phone.id, kind: "phone", userId: dana.userId }).success,
    ).toBe(false);
    expect(assignSpec.input.safeParse({ userId: "bob" }).success).toBe(false);
    await expect(assign.run({ kind: "toaster" as "phone", userId: dana.userId }, ctx)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(assign.run({ deviceId: phone.id, userId: acme.owner.userId }, ctx)).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("already assigned") as string,
    });
    await expect(assign.run({ deviceId: foreignPhone.id, userId: dana.userId }, ctx)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const other = await newPhone(acme);
    const withOther = await snapshot(acme);
    await expect(assign.run({ deviceId: other.id, userId: globex.owner.userId }, ctx)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(
      assign.dryRun?.({ deviceId: other.id, userId: globex.owner.userId }, ctx),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(giveBack.run({ deviceId: other.id, to: "in_stock" }, ctx)).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(await snapshot(acme)).toEqual(withOther);
    expect(withOther.filter((d) => d.id !== other.id)).toEqual(before);
  });
});

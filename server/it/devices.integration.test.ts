import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import { hire } from "@/server/hr/fixtures";
import { terminateEmployee, updateEmployee } from "@/server/hr/employees";
import { createTestTenant, testDb, unique, type TestTenant, type TestUser } from "@/server/testing/fixtures";
import type { TenantContext } from "@/server/tenancy/context";
import {
  assignDevice,
  createDevice,
  deleteDevice,
  deviceHistory,
  employeeDevices,
  exportDevicesCsv,
  listDevices,
  returnDevice,
  updateDevice,
  userDevices,
} from "./devices";

let acme: TestTenant;
let globex: TestTenant;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  alice = await acme.add("employee");
  bob = await acme.add("employee");
});

const as = <T>(tenant: TestTenant, user: TestUser, fn: (ctx: TenantContext) => Promise<T>) =>
  withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    fn({
      tenantId: tenant.id,
      actor: { userId: user.userId, membershipId: user.membershipId, role: user.role },
      db: tx,
    }),
  );

const laptop = (overrides: Record<string, string> = {}) => ({
  assetTag: unique("LT"),
  kind: "laptop" as const,
  model: "ThinkPad X1 Carbon",
  serial: unique("SN"),
  purchasedAt: "2026-01-10",
  warrantyUntil: "2029-01-10",
  ...overrides,
});

async function countRows(tenant: TestTenant): Promise<{ devices: number; assignments: number }> {
  return withTenant(testDb(), { tenantId: tenant.id }, async (tx) => {
    const [row] = await sqlOf(tx).query<{ devices: number; assignments: number }>(
      `SELECT (SELECT count(*)::int FROM it.device) AS devices, (SELECT count(*)::int FROM it.device_assignment) AS assignments`,
    );
    return row ?? { devices: -1, assignments: -1 };
  });
}

describe("IT devices", () => {
  it("assigns, returns and keeps the history; a person sees their own devices", async () => {
    const device = await acme.asOwner((ctx) => createDevice(ctx, laptop()));
    expect(device).toMatchObject({ status: "in_stock", holder: null, purchasedAt: "2026-01-10" });

    const first = await acme.asOwner((ctx) =>
      assignDevice(ctx, { deviceId: device.id, userId: alice.userId, condition: "new, sealed" }),
    );
    expect(first.device).toMatchObject({ status: "assigned", holder: { userId: alice.userId } });
    expect(first.assignment).toMatchObject({
      user: { id: alice.userId },
      returnedAt: null,
      conditionOut: "new, sealed",
    });
    expect((await as(acme, alice, (ctx) => userDevices(ctx, alice.userId))).map((d) => d.id)).toEqual([
      device.id,
    ]);
    await expect(as(acme, alice, (ctx) => userDevices(ctx, bob.userId))).rejects.toMatchObject({
      code: "FORBIDDEN",
    });

    const back = await acme.asOwner((ctx) =>
      returnDevice(ctx, { deviceId: device.id, condition: "scratched lid", to: "repair" }),
    );
    expect(back.device).toMatchObject({ status: "repair", holder: null });
    expect(back.assignment.conditionIn).toBe("scratched lid");
    await acme.asOwner((ctx) => updateDevice(ctx, { id: device.id, status: "in_stock" }));
    await acme.asOwner((ctx) => assignDevice(ctx, { deviceId: device.id, userId: bob.userId }));

    const history = await acme.asOwner((ctx) => deviceHistory(ctx, device.id));
    expect(history.map((a) => [a.user.id, a.returnedAt === null])).toEqual([
      [bob.userId, true],
      [alice.userId, false],
    ]);
    expect(await as(acme, alice, (ctx) => userDevices(ctx, alice.userId))).toEqual([]);
    await expect(acme.asOwner((ctx) => deleteDevice(ctx, device.id))).rejects.toMatchObject({
      code: "CONFLICT",
    });

    const csv = await acme.asOwner((ctx) => exportDevicesCsv(ctx));
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(
      "asset_tag,kind,model,serial,status,holder_email,holder_since,purchased_at,warranty_until,notes",
    );
    expect(lines.find((l) => l.startsWith(`${device.assetTag},`))).toMatch(
      new RegExp(
        `^${device.assetTag},laptop,ThinkPad X1 Carbon,${device.serial ?? ""},assigned,${bob.email},`,
      ),
    );
  });

  it("exports notes that look like formulas as text", async () => {
    const tenant = await createTestTenant(testDb(), "csv");
    await tenant.asOwner((ctx) => createDevice(ctx, laptop({ assetTag: "LT-1", notes: '=HYPERLINK("x")' })));
    const csv = await tenant.asOwner((ctx) => exportDevicesCsv(ctx));
    expect(csv.split("\r\n")[1]).toMatch(/,"'=HYPERLINK\(""x""\)"$/);
  });

  it("lets one of two concurrent assignments of a device through", async () => {
    const device = await acme.asOwner((ctx) => createDevice(ctx, laptop()));
    const results = await Promise.allSettled([
      acme.asOwner((ctx) => assignDevice(ctx, { deviceId: device.id, userId: alice.userId })),
      acme.asOwner((ctx) => assignDevice(ctx, { deviceId: device.id, userId: bob.userId })),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected");
    expect(refused?.status === "rejected" && refused.reason).toMatchObject({ code: "CONFLICT" });
    expect(await acme.asOwner((ctx) => deviceHistory(ctx, device.id))).toHaveLength(1);
  });

  it("refuses a second open assignment in the database itself, and a status that disagrees with it", async () => {
    const device = await acme.asOwner((ctx) => createDevice(ctx, laptop()));
    await acme.asOwner((ctx) => assignDevice(ctx, { deviceId: device.id, userId: alice.userId }));
    // Plain SQL past devices.ts: the partial unique index refuses a second holder.
    await expect(
      withTenant(testDb(), { tenantId: acme.id }, (tx) =>
        sqlOf(tx).query(
          `INSERT INTO it.device_assignment (tenant_id, device_id, user_id) VALUES ($1::uuid, $2::uuid, $3::uuid) RETURNING id`,
          [acme.id, device.id, bob.userId],
        ),
      ),
    ).rejects.toThrow(/device_assignment_open|unique/);
    // And the commit-time check refuses an assigned device marked as in stock.
    await expect(
      withTenant(testDb(), { tenantId: acme.id }, (tx) =>
        sqlOf(tx).query(`UPDATE it.device SET status = 'in_stock' WHERE id = $1::uuid RETURNING id`, [
          device.id,
        ]),
      ),
    ).rejects.toThrow(/open assignment/);
  });

  it("picks the first laptop in stock by kind, and says when none is left", async () => {
    const tenant = await createTestTenant(testDb(), "kinds");
    const carol = await tenant.add("employee");
    const a = await tenant.asOwner((ctx) => createDevice(ctx, laptop({ assetTag: "LT-0001" })));
    const b = await tenant.asOwner((ctx) => createDevice(ctx, laptop({ assetTag: "LT-0002" })));
    const both = await Promise.all([
      tenant.asOwner((ctx) => assignDevice(ctx, { kind: "laptop", userId: carol.userId })),
      tenant.asOwner((ctx) => assignDevice(ctx, { kind: "laptop", userId: tenant.owner.userId })),
    ]);
    expect(both.map((r) => r.device.id).sort()).toEqual([a.id, b.id].sort());
    await expect(
      tenant.asOwner((ctx) => assignDevice(ctx, { kind: "laptop", userId: carol.userId })),
    ).rejects.toMatchObject({ code: "CONFLICT", message: "No laptop is in stock" });
  });

  it("refuses bad input, duplicates, outsiders and other tenants' ids, writing nothing", async () => {
    const device = await acme.asOwner((ctx) => createDevice(ctx, laptop()));
    const before = await countRows(acme);
    await expect(acme.asOwner((ctx) => createDevice(ctx, laptop({ kind: "toaster" })))).rejects.toMatchObject(
      {
        code: "BAD_REQUEST",
        fields: { kind: expect.any(Array) as unknown },
      },
    );
    await expect(
      acme.asOwner((ctx) =>
        createDevice(ctx, laptop({ purchasedAt: "2026-05-01", warrantyUntil: "2026-01-01" })),
      ),
    ).rejects.toMatchObject({ fields: { warrantyUntil: expect.any(Array) as unknown } });
    await expect(
      acme.asOwner((ctx) => createDevice(ctx, laptop({ assetTag: device.assetTag }))),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      fields: { assetTag: ["Already used"] },
    });
    await expect(
      acme.asOwner((ctx) => createDevice(ctx, laptop({ serial: device.serial ?? "" }))),
    ).rejects.toMatchObject({ code: "CONFLICT", fields: { serial: expect.any(Array) as unknown } });
    await expect(
      acme.asOwner((ctx) => assignDevice(ctx, { deviceId: device.id, kind: "laptop", userId: alice.userId })),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // Globex's owner is no member of Acme; Globex cannot see Acme's device.
    await expect(
      acme.asOwner((ctx) => assignDevice(ctx, { deviceId: device.id, userId: globex.owner.userId })),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      globex.asOwner((ctx) => assignDevice(ctx, { deviceId: device.id, userId: globex.owner.userId })),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(as(acme, alice, (ctx) => createDevice(ctx, laptop()))).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(as(acme, alice, (ctx) => listDevices(ctx))).rejects.toBeInstanceOf(AppError);
    await expect(acme.asOwner((ctx) => returnDevice(ctx, { deviceId: device.id }))).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(await countRows(acme)).toEqual(before);
    expect((await acme.asOwner((ctx) => listDevices(ctx, { kind: "laptop" }))).length).toBe(before.devices);
  });

  it("hands a device to a new hire's HR record before they have an account, and finds it under their account once linked", async () => {
    const newHire = await hire(acme, { givenName: "Nina", familyName: "Newcomer" });
    const device = await acme.asOwner((ctx) => createDevice(ctx, laptop()));
    const given = await acme.asOwner((ctx) =>
      assignDevice(ctx, { deviceId: device.id, employeeId: newHire.id, condition: "new" }),
    );
    expect(given.device.holder).toMatchObject({
      userId: null,
      employeeId: newHire.id,
      name: "Nina Newcomer",
      email: newHire.email,
    });
    expect(given.assignment.user).toEqual({
      id: null,
      employeeId: newHire.id,
      name: "Nina Newcomer",
      email: newHire.email,
    });
    expect((await acme.asOwner((ctx) => employeeDevices(ctx, newHire.id))).map((d) => d.id)).toEqual([
      device.id,
    ]);
    await expect(as(acme, alice, (ctx) => employeeDevices(ctx, newHire.id))).rejects.toMatchObject({
      code: "FORBIDDEN",
    });

    // Once HR links the record to an account, the device is among that person's own.
    const carol = await acme.add("employee");
    await acme.asOwner((ctx) =>
      updateEmployee(ctx, { employeeId: newHire.id, changes: { userId: carol.userId } }),
    );
    expect((await as(acme, carol, (ctx) => userDevices(ctx, carol.userId))).map((d) => d.id)).toEqual([
      device.id,
    ]);
    // A device handed to the account shows up for the HR record too, and the record's account is named.
    const phone = await acme.asOwner((ctx) => createDevice(ctx, laptop({ kind: "phone", model: "Pixel" })));
    await acme.asOwner((ctx) => assignDevice(ctx, { deviceId: phone.id, userId: carol.userId }));
    const other = await acme.asOwner((ctx) => createDevice(ctx, laptop({ kind: "monitor", model: "U2723" })));
    const linked = await acme.asOwner((ctx) =>
      assignDevice(ctx, { deviceId: other.id, employeeId: newHire.id }),
    );
    expect(linked.assignment.user).toMatchObject({ id: carol.userId, employeeId: newHire.id });
    expect((await acme.asOwner((ctx) => employeeDevices(ctx, newHire.id))).map((d) => d.id).sort()).toEqual(
      [device.id, phone.id, other.id].sort(),
    );

    const back = await acme.asOwner((ctx) => returnDevice(ctx, { deviceId: device.id }));
    expect(back.assignment).toMatchObject({ user: { id: null, employeeId: newHire.id } });
    expect(back.device).toMatchObject({ status: "in_stock", holder: null });
  });

  it("refuses an employee record that is gone, another tenant's, or given together with a person", async () => {
    const leaver = await hire(acme, { startDate: "2026-01-05" });
    await acme.asOwner((ctx) => terminateEmployee(ctx, { employeeId: leaver.id, endDate: "2026-02-27" }));
    const outsider = await hire(globex);
    const device = await acme.asOwner((ctx) => createDevice(ctx, laptop()));
    const before = await countRows(acme);
    await expect(
      acme.asOwner((ctx) => assignDevice(ctx, { deviceId: device.id, employeeId: leaver.id })),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      acme.asOwner((ctx) => assignDevice(ctx, { deviceId: device.id, employeeId: outsider.id })),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      acme.asOwner((ctx) =>
        assignDevice(ctx, { deviceId: device.id, employeeId: outsider.id, userId: alice.userId }),
      ),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(acme.asOwner((ctx) => assignDevice(ctx, { deviceId: device.id }))).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    // The database refuses an assignment naming no one, whatever the path.
    await expect(
      withTenant(testDb(), { tenantId: acme.id }, (tx) =>
        sqlOf(tx).query(
          `INSERT INTO it.device_assignment (tenant_id, device_id) VALUES ($1::uuid, $2::uuid) RETURNING id::text`,
          [acme.id, device.id],
        ),
      ),
    ).rejects.toThrow(/device_assignment_holder/);
    expect(await countRows(acme)).toEqual(before);
  });
});

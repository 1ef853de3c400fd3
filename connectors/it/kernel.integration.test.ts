/**
 * The `it` connector through kernel.call, as agents and workflows reach it: the access decision, the
 * `device:<id>` lease and the tool manager's schema checks around the driver; and the preview an
 * approver sees, which writes nothing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { AccessEvaluator } from "@/server/kernel/access/evaluator";
import { Kernel, type KernelContext, type SyscallResult } from "@/server/kernel/kernel";
import { createDevice, getDevice } from "@/server/it/devices";
import {
  createTestTenant,
  kernelDeps,
  testDb,
  unique,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { buildToolRegistry, connector } from "../index";
import { itDriver } from "./driver";
import { itManifest } from "./manifest";

const kernel = new Kernel({
  db: testDb,
  tools: buildToolRegistry({ it: connector(itManifest, itDriver) }, { it: itManifest }),
  evaluator: new AccessEvaluator(),
  ...kernelDeps(),
});

let acme: TestTenant;
let gina: TestUser;
let owner: KernelContext;

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  gina = await acme.add("employee");
  owner = { tenantId: acme.id, principal: { type: "user", userId: acme.owner.userId } };
});

const assignSyscall = (deviceId: string, userId: string) => ({
  action: "it.device.assign" as const,
  resource: { type: "Device" as const, id: deviceId, attrs: {} },
  resourceLabel: `Device ${deviceId}`,
  input: { deviceId, userId },
});

const statusOf = (r: SyscallResult) => r.status;

describe("it connector through the kernel", () => {
  it("previews without writing, then assigns; a second assignment of the same device does not go through", async () => {
    const device = await acme.asOwner((ctx) =>
      createDevice(ctx, { assetTag: unique("LT"), kind: "laptop", model: "MacBook Air" }),
    );
    const preview = await kernel.preview(owner, assignSyscall(device.id, gina.userId));
    expect(preview).toMatchObject({
      connector: "it",
      effect: "write",
      compensation: "it.device.return",
      decision: { decision: "allow" },
    });
    expect(preview.changes[0]).toMatchObject({
      op: "update",
      fields: { status: { from: "in_stock", to: "assigned" } },
    });
    expect((await acme.asOwner((ctx) => getDevice(ctx, device.id))).status).toBe("in_stock");

    const results = await Promise.all([
      kernel.call(owner, assignSyscall(device.id, gina.userId)),
      kernel.call(owner, assignSyscall(device.id, acme.owner.userId)),
    ]);
    // One succeeds; the other meets the lease (conflict) or, after it, the device's state (failed).
    expect(results.map(statusOf).filter((s) => s === "succeeded")).toHaveLength(1);
    expect(results.map(statusOf).filter((s) => s === "conflict" || s === "failed")).toHaveLength(1);
    const after = await acme.asOwner((ctx) => getDevice(ctx, device.id));
    expect(after.status).toBe("assigned");
  });

  it("holds an employee's syscall for an admin's approval, and refuses bad input before the driver", async () => {
    const device = await acme.asOwner((ctx) =>
      createDevice(ctx, { assetTag: unique("LT"), kind: "laptop", model: "MacBook Air" }),
    );
    const asGina: KernelContext = { tenantId: acme.id, principal: { type: "user", userId: gina.userId } };
    expect(await kernel.call(asGina, assignSyscall(device.id, gina.userId))).toMatchObject({
      status: "approval_required",
      approvers: ["role:admin"],
    });
    const bad = await kernel.call(owner, {
      ...assignSyscall(device.id, gina.userId),
      input: { deviceId: device.id },
    });
    expect(bad).toMatchObject({ status: "failed", error: expect.stringMatching(/userId/) as string });
    expect((await acme.asOwner((ctx) => getDevice(ctx, device.id))).status).toBe("in_stock");
  });
});

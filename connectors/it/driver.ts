import { AppError } from "@/server/errors";
import { memberActor } from "@/server/tenancy/members";
import { planAccessRequest, requestAccess } from "@/server/it/access-requests";
import { assignDevice, planAssignment, planReturn, returnDevice, type ItContext } from "@/server/it/devices";
import { defineDriver, type DriverContext, type DryRun } from "../sdk";
import { itManifest } from "./manifest";

/**
 * A thin adapter: each call runs the domain function in the tenant's transaction as the member the
 * call acts for (`ctx.actor`, as the kernel verified it, with their membership's role), tagging the
 * rows with the syscall's id. So the person recorded as assigning a device or asking for access is
 * that member, and the domain's rules hold against them: a device goes to someone else, or access is
 * asked for someone else, only when they are an owner or admin. The kernel audits the call.
 */
const inTenant = <T>(ctx: DriverContext, fn: (it: ItContext) => Promise<T>) =>
  ctx.tenant(async (tx) => {
    const actor = await memberActor(tx, ctx.tenantId, ctx.actor.userId).catch((error: unknown) => {
      if (error instanceof AppError && error.code === "NOT_FOUND")
        throw new AppError("FORBIDDEN", `${ctx.actor.label} is not an active member of this tenant`);
      throw error;
    });
    return fn({
      tenantId: ctx.tenantId,
      db: tx,
      actor,
      syscallId: ctx.syscallId,
      byKernel: true,
      approvedBy: ctx.actor.approvedBy ?? [],
    });
  });

export const itDriver = defineDriver(itManifest, {
  "it.device.assign": {
    run: (input, ctx) =>
      inTenant(ctx, async (it) => {
        const { assignment, device } = await assignDevice(it, input);
        return {
          assignmentId: assignment.id,
          deviceId: device.id,
          assetTag: device.assetTag,
          kind: device.kind,
          model: device.model,
          userId: assignment.user.id,
          employeeId: assignment.user.employeeId,
          assignedAt: assignment.assignedAt.toISOString(),
        };
      }),
    // Reads only: the same checks as the call (the person, the device and its status), no lock, no write.
    dryRun: (input, ctx) =>
      inTenant(ctx, async (it): Promise<DryRun> => {
        const { device, user } = await planAssignment(it, input);
        return {
          changes: [
            {
              op: "update",
              object: `device ${device.assetTag} (${device.model})`,
              fields: { status: { from: device.status, to: "assigned" } },
            },
            {
              op: "create",
              object: `assignment of ${device.assetTag} to ${user.name}`,
              fields: {
                user: { to: user.email },
                ...(input.condition ? { condition: { to: input.condition } } : {}),
              },
            },
          ],
          warnings:
            input.deviceId === undefined
              ? [
                  `The first ${device.kind} in stock now is ${device.assetTag}; another may be taken by the time this runs`,
                ]
              : [],
        };
      }),
  },
  "it.device.return": {
    run: (input, ctx) =>
      inTenant(ctx, async (it) => {
        const { assignment, device } = await returnDevice(it, input);
        return {
          assignmentId: assignment.id,
          deviceId: device.id,
          assetTag: device.assetTag,
          userId: assignment.user.id,
          employeeId: assignment.user.employeeId,
          returnedAt: (assignment.returnedAt ?? new Date()).toISOString(),
          status: input.to,
        };
      }),
    dryRun: (input, ctx) =>
      inTenant(ctx, async (it): Promise<DryRun> => {
        const { device, holder, to, condition } = await planReturn(it, input);
        return {
          changes: [
            {
              op: "update",
              object: `assignment of ${device.assetTag} to ${holder.name}`,
              fields: { returned: { to: true }, ...(condition ? { condition: { to: condition } } : {}) },
            },
            {
              op: "update",
              object: `device ${device.assetTag} (${device.model})`,
              fields: { status: { from: device.status, to } },
            },
          ],
          warnings: [],
        };
      }),
  },
  "it.access.request": {
    run: (input, ctx) => inTenant(ctx, (it) => requestAccess(it, input)),
    dryRun: (input, ctx) =>
      inTenant(ctx, async (it): Promise<DryRun> => {
        const { role, user, reason } = await planAccessRequest(it, input);
        const approver = role.role.approverRole;
        return {
          changes: [
            {
              op: "create",
              object: `access request for ${role.app.name} / ${role.role.name} for ${user.name}`,
              fields: { user: { to: user.email }, reason: { to: reason }, status: { to: "pending" } },
            },
          ],
          warnings:
            approver === null ? [] : [`It waits for approval by a ${approver} before access is granted`],
        };
      }),
  },
});

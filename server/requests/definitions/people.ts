import { createHash } from "node:crypto";
import { sqlOf } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import { bookSyscall } from "@/server/facilities/syscalls";
import type { HrContext } from "@/server/hr/common";
import { findEmployee, planCreateEmployee, planTerminateEmployee } from "@/server/hr/employees";
import { provisionedApps, requestableRole } from "@/server/it/access-catalog";
import { employeeDevices } from "@/server/it/devices";
import { deviceKind } from "@/server/it/devices-schemas";
import type { Syscall } from "@/server/kernel/kernel";
import { offboardingForm, onboardingForm } from "../forms";
import { defineRequest, level, outputOf, type PlanStep } from "../definition";

/**
 * Who a resource names when the person it is about has no Tenet account (a new hire before they are
 * invited, a leaver who never had one). It matches no principal, so no rule about one's own records or
 * access (read-own-employee-record, no-self-grant-access) applies to it, which is true: the requester
 * is not that person. The facilities cancel syscall uses the same word for a booking nobody is named on.
 */
const NOBODY = "nobody";

/** People changes are HR's: one admin approves the whole hire or departure. */
const hrRule = { levels: [level("HR", "role:admin")] };

/** Reads during planning see everything, as a system read: the kernel decides each step when it runs. */
const planning = (tx: HrContext["db"], tenantId: string): HrContext => ({ tenantId, db: tx, actor: null });

/**
 * An employee number for a new hire: the start date and a digest of the work email. The same request
 * planned twice gets the same number (it is the hris create's lease key), and two hires differ unless
 * their emails do not, which HR refuses anyway (one record per work email).
 */
export function newEmployeeNumber(startDate: string, email: string): string {
  const digest = createHash("sha256").update(email.trim().toLowerCase()).digest("hex").slice(0, 6);
  return `E${startDate.replaceAll("-", "")}-${digest.toUpperCase()}`;
}

/**
 * A new hire: their HR record, their accounts in the catalog's apps (through each app's SCIM
 * connection, with their work email as the user name), a device of the kind asked for, and a desk on
 * their first day. Asked for by a manager or HR, approved once by an admin; every step runs as the
 * requester with that approval (the pack's approved-people-changes).
 */
export const onboarding = defineRequest({
  type: "onboarding",
  title: "Onboard a new hire",
  description: "An HR record, app accounts, a device and a desk for someone joining.",
  category: "hr",
  audience: "managers",
  form: onboardingForm,
  defaultRule: hrRule,
  async prepare({ tx, tenantId, requester }, input) {
    const name = `${input.givenName} ${input.familyName}`;
    const create = {
      employeeNumber: newEmployeeNumber(input.startDate, input.email),
      givenName: input.givenName,
      familyName: input.familyName,
      email: input.email,
      title: input.jobTitle,
      departmentId: input.departmentId,
      managerId: input.managerEmployeeId,
      startDate: input.startDate,
    };
    // HR's own checks (department, manager, number and email free), now rather than after approval;
    // the plan also says whether the work email is already a member's account, which HR links.
    const plan = await planCreateEmployee(planning(tx, tenantId), create);
    const account = plan.userId ?? NOBODY;
    const managerUserId = plan.manager?.userId ?? undefined;
    const steps: PlanStep[] = [
      {
        key: "employee",
        as: "requester",
        syscall: {
          action: "hr.employee.create",
          resource: {
            type: "Employee",
            id: "new",
            attrs: { userId: account, ...(managerUserId === undefined ? {} : { managerId: managerUserId }) },
          },
          resourceLabel: name,
          input: create,
        },
      },
    ];

    const roleIds = [...new Set(input.accessRoleIds)];
    for (const roleId of roleIds) {
      const found = await requestableRole(tx, tenantId, roleId);
      if (!found) throw new AppError("BAD_REQUEST", "One of the apps is not in the access catalog");
      const { app, role } = found;
      if (!app.scimConnectionId)
        throw new AppError(
          "BAD_REQUEST",
          `${app.name} is not connected for provisioning yet; ask IT to connect it`,
        );
      // A role's own approver gates what people ask for themselves; an admin, who approves this
      // request, may grant any role directly (admin-manages-access-and-devices), so one approval is enough.
      const grant: Syscall = {
        action: "it.access.grant",
        resource: { type: "AppAccess", id: role.id, attrs: { userId: account, app: app.name } },
        resourceLabel: `${app.name} (${role.name}) for ${name}`,
        connectionId: app.scimConnectionId,
        input: {
          userName: input.email,
          email: input.email,
          givenName: input.givenName,
          familyName: input.familyName,
          ...(role.scimGroup === null ? {} : { group: role.scimGroup }),
          app: app.name,
        },
      };
      steps.push({ key: `access:${role.id}`, as: "requester", syscall: grant });
    }

    if (input.deviceKind !== "") {
      const kind = deviceKind.safeParse(input.deviceKind);
      if (!kind.success)
        throw new AppError("BAD_REQUEST", `IT keeps no devices of the kind ${input.deviceKind}`);
      const label = `A ${kind.data} for ${name}`;
      steps.push({
        key: "device",
        as: "requester",
        // The device goes to the HR record made by the first step: the new hire has no account yet.
        describeBefore: `Assign the first ${kind.data} in stock to ${name}`,
        syscall: {
          action: "it.device.assign",
          resource: { type: "Device", id: `first-${kind.data}`, attrs: {} },
          resourceLabel: label,
          input: { kind: kind.data, employeeId: outputOf("employee", "employee.id") },
        },
      });
    }

    if (input.deskId !== undefined) {
      const desk = await bookSyscall(tx, tenantId, {
        spaceId: input.deskId,
        title: `First day: ${name}`,
        start: `${input.startDate}T09:00`,
        end: `${input.startDate}T17:00`,
        bookedBy: requester.id,
      });
      if (desk.action !== "facilities.desk.book")
        throw new AppError("BAD_REQUEST", `${desk.resourceLabel ?? "That space"} is not a desk`);
      steps.push({ key: "desk", as: "requester", syscall: desk });
    }

    return { title: `Onboarding ${name}, starting ${input.startDate}`, steps };
  },
});

/** The leaver's account's email, when it differs from their work email: apps may know them by either. */
async function accountEmail(tx: HrContext["db"], tenantId: string, userId: string): Promise<string | null> {
  const [row] = await sqlOf(tx).query<{ email: string }>(
    `SELECT u.email FROM "Membership" m JOIN "User" u ON u.id = m."userId"
      WHERE m."tenantId" = $1::uuid AND m."userId" = $2::uuid`,
    [tenantId, userId],
  );
  return row?.email ?? null;
}

/**
 * Someone leaving: their HR record closed on the last day, their accounts deactivated, their devices
 * taken back. Approved once by an admin; every step runs as the requester with that approval.
 */
export const offboarding = defineRequest({
  type: "offboarding",
  title: "Offboard a leaver",
  description: "Close someone's HR record, deactivate their app accounts and take back their devices.",
  category: "hr",
  audience: "managers",
  form: offboardingForm,
  defaultRule: hrRule,
  async prepare({ tx, tenantId }, input) {
    const hr = planning(tx, tenantId);
    const terminate = { employeeId: input.employeeId, endDate: input.lastDay, reason: input.reason };
    // HR's own checks (the record exists here, has not left, the last day is after the start).
    const { before: employee } = await planTerminateEmployee(hr, terminate);
    const name = `${employee.givenName} ${employee.familyName}`;
    // The manager's Tenet account, for the resource's `manager` (policies compare it with the principal).
    const manager =
      employee.managerId === null ? null : ((await findEmployee(hr, employee.managerId))?.userId ?? null);
    const person = employee.userId ?? NOBODY;
    const steps: PlanStep[] = [
      {
        key: "employee",
        as: "requester",
        syscall: {
          action: "hr.employee.offboard",
          resource: {
            type: "Employee",
            id: employee.id,
            attrs: { userId: person, ...(manager === null ? {} : { managerId: manager }) },
          },
          resourceLabel: name,
          input: terminate,
        },
      },
    ];

    // Tenet keeps no list of the accounts a person has in each app (grants are not recorded per
    // person), so the plan asks every app Tenet provisions to deactivate the account under the names
    // Tenet provisions with: the work email (onboarding) and the Tenet account's email (software
    // access). An app where the person has no account reports "nothing to revoke" in the preview and
    // changes nothing when run. One call per connection: apps sharing one are one directory.
    const userNames = [employee.email];
    const other = employee.userId === null ? null : await accountEmail(tx, tenantId, employee.userId);
    if (other !== null && other.toLowerCase() !== employee.email.toLowerCase()) userNames.push(other);
    const connections = new Set<string>();
    for (const app of await provisionedApps(tx, tenantId)) {
      if (connections.has(app.scimConnectionId)) continue;
      connections.add(app.scimConnectionId);
      for (const userName of userNames) {
        const revoke: Syscall = {
          action: "it.access.revoke",
          resource: { type: "AppAccess", id: app.id, attrs: { userId: person, app: app.name } },
          resourceLabel: `${app.name} account of ${name}`,
          connectionId: app.scimConnectionId,
          input: { userName, deactivate: true, app: app.name },
        };
        steps.push({
          key: `access:${app.id}:${userName.toLowerCase()}`,
          as: "requester",
          syscall: revoke,
        });
      }
    }

    for (const device of await employeeDevices({ tenantId, db: tx, actor: null }, employee.id)) {
      const giveBack: Syscall = {
        action: "it.device.return",
        resource: { type: "Device", id: device.id, attrs: {} },
        resourceLabel: `${device.assetTag} (${device.model}) from ${name}`,
        input: { deviceId: device.id },
      };
      steps.push({ key: `device:${device.id}`, as: "requester", syscall: giveBack });
    }

    return { title: `Offboarding ${name}, last day ${input.lastDay}`, steps };
  },
});

import { defineDriver, type Change, type DriverContext, type DryRun } from "@/connectors/sdk";
import { AppError, notFound } from "@/server/errors";
import { memberActor } from "@/server/tenancy/members";
import type { ChecklistItemPlan, ChecklistView } from "@/server/hr/checklists";
import type { HrContext } from "@/server/hr/common";
import {
  createEmployee,
  findEmployeeByEmail,
  fullName,
  getEmployee,
  managerChain,
  planCreateEmployee,
  planTerminateEmployee,
  planUpdateEmployee,
  reportsOf,
  terminateEmployee,
  updateEmployee,
} from "@/server/hr/employees";
import {
  cancelTimeOff,
  decideTimeOff,
  planTimeOffChange,
  planTimeOffRequest,
  requestTimeOff,
  type BalanceView,
  type TimeOffChange,
  type TimeOffRequestView,
} from "@/server/hr/time-off";
import { hrisManifest } from "./manifest";

/**
 * A thin adapter over server/hr: each action runs the domain function in the tenant's transaction as
 * the member the call acts for (`ctx.actor`, as the kernel verified it, with their membership's
 * role), so the domain's rules hold against that person: who decides time off is recorded as them,
 * nobody decides their own, only a manager or HR decides someone else's. The kernel audits the call
 * (`byKernel`). Dry runs call the domain's plan functions, which check everything the write would and
 * read only.
 */

const hr =
  (ctx: DriverContext) =>
  <T>(fn: (hrCtx: HrContext) => Promise<T>): Promise<T> =>
    ctx.tenant(async (tx) => {
      const actor = await memberActor(tx, ctx.tenantId, ctx.actor.userId).catch((error: unknown) => {
        if (error instanceof AppError && error.code === "NOT_FOUND")
          throw new AppError("FORBIDDEN", `${ctx.actor.label} is not an active member of this tenant`);
        throw error;
      });
      return fn({ tenantId: ctx.tenantId, db: tx, actor, byKernel: true, approvedBy: ctx.actor.approvedBy ?? [] });
    });

const today = () => new Date().toISOString().slice(0, 10);

const checklistOut = (list: ChecklistView) => ({
  id: list.id,
  kind: list.kind,
  items: list.items.map((item) => ({
    id: item.id,
    title: item.title,
    owner: item.owner,
    dueDate: item.dueDate,
  })),
});

const checklistChanges = (what: string, items: readonly ChecklistItemPlan[]): Change[] =>
  items.map((item) => ({
    op: "create",
    object: `${what} checklist item "${item.title}"`,
    fields: { owner: { to: item.owner }, dueDate: { to: item.dueDate } },
  }));

const requestOut = (request: TimeOffRequestView) => ({
  ...request,
  decidedAt: request.decidedAt ? request.decidedAt.toISOString() : null,
});

const timeOffOut = (change: { request: TimeOffRequestView; balance: BalanceView }) => ({
  request: requestOut(change.request),
  balance: change.balance,
});

const lowBalance = (balance: BalanceView): string[] =>
  balance.availableDays <= 2
    ? [`Balance would drop to ${balance.availableDays} ${balance.availableDays === 1 ? "day" : "days"}`]
    : [];

function balanceChange(before: BalanceView, after: BalanceView): Change {
  const fields: Change["fields"] = {};
  if (before.pendingDays !== after.pendingDays)
    fields.pendingDays = { from: before.pendingDays, to: after.pendingDays };
  if (before.usedDays !== after.usedDays) fields.usedDays = { from: before.usedDays, to: after.usedDays };
  fields.availableDays = { from: before.availableDays, to: after.availableDays };
  return { op: "update", object: `${after.policy} balance ${after.year}`, fields };
}

function timeOffChangeDryRun(
  plan: TimeOffChange & { before: BalanceView },
  from: string,
  to: "approved" | "rejected" | "cancelled",
): DryRun {
  const who = fullName(plan.employee);
  const warnings = lowBalance(plan.balance);
  if (to === "cancelled" && from === "approved" && plan.request.startDate <= today())
    warnings.push(`${who}'s time off has already begun`);
  if (to === "approved" && plan.request.startDate < today())
    warnings.push("This time off started in the past");
  return {
    changes: [
      {
        op: "update",
        object: `${who}'s time off ${plan.request.startDate} to ${plan.request.endDate} (${plan.request.days} days)`,
        fields: { status: { from, to } },
      },
      balanceChange(plan.before, plan.balance),
    ],
    warnings,
  };
}

async function timeOffDryRun(
  ctx: DriverContext,
  requestId: string,
  to: "approved" | "rejected" | "cancelled",
): Promise<DryRun> {
  return hr(ctx)(async (hrCtx) => {
    const plan = await planTimeOffChange(hrCtx, requestId, to);
    // The plan shows the request as it would be; its status now is what the balance's change says.
    const from = plan.pendingDelta < 0 ? "requested" : "approved";
    return timeOffChangeDryRun(plan, from, to);
  });
}

export const hrisDriver = defineDriver(hrisManifest, {
  employeeRead: {
    run: (input, ctx) =>
      hr(ctx)(async (hrCtx) => {
        const employee = input.employeeId
          ? await getEmployee(hrCtx, input.employeeId)
          : await findEmployeeByEmail(hrCtx, input.email ?? "");
        if (!employee) throw notFound("Employee not found");
        return {
          employee,
          managerChain: (await managerChain(hrCtx, employee.id)).map((m) => m.id),
          directReports: (await reportsOf(hrCtx, employee.id)).map((r) => r.id),
        };
      }),
  },
  employeeCreate: {
    run: (input, ctx) =>
      hr(ctx)(async (hrCtx) => {
        const { employee, onboarding } = await createEmployee(hrCtx, input);
        return { employee, onboarding: checklistOut(onboarding) };
      }),
    dryRun: (input, ctx) =>
      hr(ctx)(async (hrCtx) => {
        const plan = await planCreateEmployee(hrCtx, input);
        const { input: e } = plan;
        const fields: Change["fields"] = {
          employeeNumber: { to: e.employeeNumber },
          givenName: { to: e.givenName },
          familyName: { to: e.familyName },
          email: { to: e.email },
          title: { to: e.title },
          department: { to: plan.department },
          manager: { to: plan.manager ? fullName(plan.manager) : null },
          status: { to: e.status },
          startDate: { to: e.startDate },
          location: { to: e.location },
          timeZone: { to: e.timeZone },
          userId: { to: plan.userId },
        };
        const warnings: string[] = [];
        if (e.startDate < today()) warnings.push(`The start date ${e.startDate} is in the past`);
        if (!plan.userId)
          warnings.push(
            `No member of this tenant has the email ${e.email}: the record is not linked to an account`,
          );
        if (plan.manager?.status === "on_leave") warnings.push(`${fullName(plan.manager)} is on leave`);
        return {
          changes: [
            {
              op: "create",
              object: `Employee record for ${e.givenName} ${e.familyName} (${e.email})`,
              fields,
            },
            ...checklistChanges("Onboarding", plan.onboarding),
          ],
          warnings,
        };
      }),
  },
  employeeUpdate: {
    run: (input, ctx) => hr(ctx)((hrCtx) => updateEmployee(hrCtx, input)),
    dryRun: (input, ctx) =>
      hr(ctx)(async (hrCtx) => {
        const plan = await planUpdateEmployee(hrCtx, input);
        const changed = Object.keys(plan.diff).length > 0;
        const warnings = changed ? [] : ["Nothing would change: every field already has this value"];
        if (plan.diff.email) warnings.push("The person's Tenet account keeps its own email");
        return {
          changes: changed
            ? [{ op: "update", object: `Employee record of ${fullName(plan.before)}`, fields: plan.diff }]
            : [],
          warnings,
        };
      }),
  },
  employeeOffboard: {
    run: (input, ctx) =>
      hr(ctx)(async (hrCtx) => {
        const { employee, offboarding, cancelledTimeOff } = await terminateEmployee(hrCtx, input);
        return { employee, offboarding: checklistOut(offboarding), cancelledTimeOff };
      }),
    dryRun: (input, ctx) =>
      hr(ctx)(async (hrCtx) => {
        const plan = await planTerminateEmployee(hrCtx, input);
        const who = fullName(plan.before);
        const warnings: string[] = [];
        if (plan.directReports.length > 0)
          warnings.push(
            `${plan.directReports.length} ${plan.directReports.length === 1 ? "person reports" : "people report"} to ${who} and will need a new manager: ${plan.directReports.map(fullName).join(", ")}`,
          );
        if (plan.timeOffAfterEnd > 0)
          warnings.push(`${plan.timeOffAfterEnd} time-off request(s) after the last day will be cancelled`);
        if (plan.endDate < today()) warnings.push(`The last day ${plan.endDate} is in the past`);
        return {
          changes: [
            {
              op: "update",
              object: `Employee record of ${who}`,
              fields: {
                status: { from: plan.before.status, to: "terminated" },
                endDate: { from: null, to: plan.endDate },
              },
            },
            ...checklistChanges("Offboarding", plan.offboarding),
          ],
          warnings,
        };
      }),
  },
  timeoffRequest: {
    run: (input, ctx) => hr(ctx)(async (hrCtx) => timeOffOut(await requestTimeOff(hrCtx, input))),
    dryRun: (input, ctx) =>
      hr(ctx)(async (hrCtx) => {
        const plan = await planTimeOffRequest(hrCtx, input);
        const warnings = lowBalance(plan.after);
        if (plan.input.startDate < today()) warnings.push("This time off starts in the past");
        return {
          changes: [
            {
              op: "create",
              object: `${plan.policy.name} for ${fullName(plan.employee)}, ${plan.input.startDate} to ${plan.input.endDate}`,
              fields: { days: { to: plan.halfDays / 2 }, status: { to: "requested" } },
            },
            balanceChange(plan.before, plan.after),
          ],
          warnings,
        };
      }),
  },
  timeoffApprove: {
    run: (input, ctx) => hr(ctx)(async (hrCtx) => timeOffOut(await decideTimeOff(hrCtx, input))),
    dryRun: (input, ctx) => timeOffDryRun(ctx, input.requestId, input.decision),
  },
  timeoffCancel: {
    run: (input, ctx) => hr(ctx)(async (hrCtx) => timeOffOut(await cancelTimeOff(hrCtx, input))),
    dryRun: (input, ctx) => timeOffDryRun(ctx, input.requestId, "cancelled"),
  },
});

import { z } from "zod";
import { defineAction, defineManifest } from "@/connectors/sdk";
import {
  createEmployeeInput,
  decideTimeOffInput,
  employeeChangesSchema,
  requestTimeOffInput,
  terminateEmployeeInput,
  updateEmployeeInput,
} from "@/server/hr/schemas";

/**
 * Tenet's own HRIS, built in: employee records, reporting lines, time off and checklists on the
 * tenant's data (server/hr/). Writes on one person lease `employee:<id>`, so two agents cannot change
 * one record at once; time-off requests lease `timeoff:<employeeId>`, and decisions on a request lease
 * `timeoff-request:<id>`, so it cannot be approved and cancelled at the same time.
 */

const day = z.iso.date();

export const employeeOutput = z.object({
  id: z.uuid(),
  userId: z.uuid().nullable(),
  employeeNumber: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  email: z.string(),
  title: z.string(),
  departmentId: z.uuid().nullable(),
  department: z.string().nullable(),
  managerId: z.uuid().nullable(),
  status: z.enum(["active", "on_leave", "terminated"]),
  startDate: day,
  endDate: day.nullable(),
  location: z.string(),
  timeZone: z.string(),
});

const checklistOutput = z.object({
  id: z.uuid(),
  kind: z.enum(["onboarding", "offboarding"]),
  items: z.array(
    z.object({
      id: z.uuid(),
      title: z.string(),
      owner: z.enum(["hr", "it", "facilities", "manager"]),
      dueDate: day,
    }),
  ),
});

export const readInput = z
  .object({
    employeeId: z.uuid("Choose an employee").optional(),
    email: z.email("Use an email address").optional(),
  })
  .refine((r) => (r.employeeId === undefined) !== (r.email === undefined), {
    message: "Give either employeeId or email",
    path: ["employeeId"],
  });

const readOutput = z.object({
  employee: employeeOutput,
  /** Their managers, nearest first, by id. */
  managerChain: z.array(z.uuid()),
  directReports: z.array(z.uuid()),
});

const createOutput = z.object({ employee: employeeOutput, onboarding: checklistOutput });

const updateOutput = z.object({
  employee: employeeOutput,
  /** The changed fields' values before: an update with these undoes this one. */
  previous: employeeChangesSchema,
});

const offboardOutput = z.object({
  employee: employeeOutput,
  offboarding: checklistOutput,
  /** Requested or approved time off after the last day, cancelled with the offboarding. */
  cancelledTimeOff: z.number().int().min(0),
});

const requestOutput = z.object({
  id: z.uuid(),
  employeeId: z.uuid(),
  policyId: z.uuid(),
  startDate: day,
  endDate: day,
  days: z.number().positive(),
  status: z.enum(["requested", "approved", "rejected", "cancelled"]),
  reason: z.string(),
  decidedBy: z.uuid().nullable(),
  decidedAt: z.iso.datetime({ offset: true }).nullable(),
});

const balanceOutput = z.object({
  policyId: z.uuid(),
  policy: z.string(),
  year: z.number().int(),
  entitledDays: z.number().min(0),
  carryoverDays: z.number().min(0),
  usedDays: z.number().min(0),
  pendingDays: z.number().min(0),
  availableDays: z.number().min(0),
});

const timeOffOutput = z.object({ request: requestOutput, balance: balanceOutput });

const cancelInput = z.object({ requestId: z.uuid("Choose a request") });

const today = () => new Date().toISOString().slice(0, 10);

const FIELD_WORDS: Record<string, string> = {
  givenName: "given name",
  familyName: "family name",
  email: "email",
  title: "title",
  departmentId: "department",
  managerId: "manager",
  userId: "account",
  status: "status",
  startDate: "start date",
  location: "location",
  timeZone: "time zone",
};

export const hrisManifest = defineManifest({
  id: "hris",
  version: "1.0.0",
  name: "HR (built in)",
  category: "hr",
  description:
    "Employee records, reporting lines, time off and onboarding/offboarding checklists, kept in Tenet.",
  auth: { type: "built-in" },
  actions: {
    employeeRead: defineAction({
      action: "hr.employee.read",
      title: "Read an employee record",
      effect: "read",
      input: readInput,
      output: readOutput,
      reversible: false,
      scopes: [],
      timeoutMs: 10_000,
      describe: (input) => `Read the employee record of ${input.email ?? input.employeeId ?? "someone"}`,
    }),
    employeeCreate: defineAction({
      action: "hr.employee.create",
      title: "Create an employee record",
      effect: "write",
      input: createEmployeeInput,
      output: createOutput,
      reversible: {
        by: "hr.employee.offboard",
        input: (_input, output) => ({
          employeeId: output.employee.id,
          endDate: today() > output.employee.startDate ? today() : output.employee.startDate,
          reason: "Reverses the record's creation",
        }),
      },
      // No id yet: the employee number is what two creations of one person would share.
      resources: (input) => [{ key: `employee-number:${input.employeeNumber.trim()}` }],
      scopes: [],
      timeoutMs: 15_000,
      describe: (input) =>
        `Create employee record for ${input.givenName} ${input.familyName} (${input.email})`,
    }),
    employeeUpdate: defineAction({
      action: "hr.employee.update",
      title: "Update an employee record",
      effect: "write",
      input: updateEmployeeInput,
      output: updateOutput,
      reversible: {
        by: "hr.employee.update",
        // An update that changed nothing is undone by itself: its values are the ones in place.
        input: (input, output) => ({
          employeeId: input.employeeId,
          changes: Object.keys(output.previous).length > 0 ? output.previous : input.changes,
        }),
      },
      resources: (input) => [{ key: `employee:${input.employeeId}` }],
      scopes: [],
      timeoutMs: 15_000,
      describe: (input) =>
        `Update employee ${input.employeeId}: ${Object.keys(input.changes)
          .map((field) => FIELD_WORDS[field] ?? field)
          .join(", ")}`,
    }),
    employeeOffboard: defineAction({
      action: "hr.employee.offboard",
      title: "Offboard an employee",
      effect: "destructive",
      input: terminateEmployeeInput,
      output: offboardOutput,
      // The record is closed for good; someone who comes back is hired again.
      reversible: false,
      resources: (input) => [{ key: `employee:${input.employeeId}` }],
      scopes: [],
      timeoutMs: 15_000,
      describe: (input) => `Offboard employee ${input.employeeId}, last day ${input.endDate}`,
    }),
    timeoffRequest: defineAction({
      action: "hr.timeoff.request",
      title: "Request time off",
      effect: "write",
      input: requestTimeOffInput,
      output: timeOffOutput,
      reversible: { by: "hr.timeoff.cancel", input: (_input, output) => ({ requestId: output.request.id }) },
      resources: (input) => [{ key: `timeoff:${input.employeeId}` }],
      scopes: [],
      timeoutMs: 15_000,
      describe: (input) =>
        `Request ${input.days === undefined ? "time off" : `${input.days} days off`} from ${input.startDate} to ${input.endDate} for employee ${input.employeeId}`,
    }),
    timeoffApprove: defineAction({
      action: "hr.timeoff.approve",
      title: "Approve or reject time off",
      effect: "write",
      input: decideTimeOffInput,
      output: timeOffOutput,
      // A decision is not taken back; approved time off is cancelled instead.
      reversible: false,
      resources: (input) => [{ key: `timeoff-request:${input.requestId}` }],
      scopes: [],
      timeoutMs: 15_000,
      describe: (input) =>
        `${input.decision === "rejected" ? "Reject" : "Approve"} time-off request ${input.requestId}`,
    }),
    timeoffCancel: defineAction({
      action: "hr.timeoff.cancel",
      title: "Cancel time off",
      effect: "write",
      input: cancelInput,
      output: timeOffOutput,
      reversible: false,
      resources: (input) => [{ key: `timeoff-request:${input.requestId}` }],
      scopes: [],
      timeoutMs: 15_000,
      describe: (input) => `Cancel time-off request ${input.requestId}`,
    }),
  },
});

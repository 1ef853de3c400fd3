import { z } from "zod";

/**
 * HR's input schemas, with nothing but zod: the domain (server/hr/) parses with them and the HRIS
 * connector's manifest (connectors/hris/) declares them, and a manifest must be safe to import anywhere.
 */

export const isoDate = z.iso.date("Use a date as YYYY-MM-DD");

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The runtime's spelling of a valid zone ("europe/paris" is stored as "Europe/Paris"). */
export const canonicalTimeZone = (zone: string) =>
  new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;

export const timeZone = z
  .string()
  .trim()
  .max(64)
  .refine(isTimeZone, "Use a time zone such as Europe/Paris or UTC")
  .transform(canonicalTimeZone);

export const halfDayAmount = z
  .number("Give a number of days")
  .min(0, "Cannot be negative")
  .max(365, "Use at most 365 days")
  .refine((d) => Number.isInteger(d * 2), "Use whole or half days");

const name = (what: string) =>
  z.string(`Give the ${what}`).trim().min(1, `Give the ${what}`).max(100, "Use at most 100 characters");

export const employeeNumberSchema = z
  .string("Give an employee number")
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, "Use up to 40 letters, digits, '.', '_' or '-'");
export const workEmailSchema = z
  .string("Give a work email")
  .trim()
  .max(254, "Use at most 254 characters")
  .pipe(z.email("Use an email address such as bob@acme.com"));
const optionalText = z.string().trim().max(200, "Use at most 200 characters");
const optionalId = (what: string) => z.uuid(`Choose a ${what}`).nullish();

export const createEmployeeInput = z.object({
  employeeNumber: employeeNumberSchema,
  givenName: name("given name"),
  familyName: name("family name"),
  email: workEmailSchema,
  title: optionalText.default(""),
  departmentId: optionalId("department"),
  managerId: optionalId("manager"),
  /** The person's Tenet account; when absent, the member with the same email, if any. */
  userId: optionalId("user"),
  status: z.enum(["active", "on_leave"], "Choose active or on_leave").default("active"),
  startDate: isoDate,
  location: optionalText.default(""),
  timeZone: timeZone.default("UTC"),
});
export type CreateEmployeeInput = z.input<typeof createEmployeeInput>;

/** The fields an update may change; `null` clears department, manager or account. */
export const employeeChangesSchema = z
  .object({
    givenName: name("given name"),
    familyName: name("family name"),
    email: workEmailSchema,
    title: optionalText,
    departmentId: z.uuid("Choose a department").nullable(),
    managerId: z.uuid("Choose a manager").nullable(),
    userId: z.uuid("Choose a user").nullable(),
    status: z.enum(["active", "on_leave"], "Choose active or on_leave; offboard leavers instead"),
    startDate: isoDate,
    location: optionalText,
    timeZone,
  })
  .partial()
  .strict();
export type EmployeeChanges = z.output<typeof employeeChangesSchema>;
export type EmployeeField = keyof EmployeeChanges;

export const updateEmployeeInput = z.object({
  employeeId: z.uuid("Choose an employee"),
  changes: employeeChangesSchema.refine((c) => Object.keys(c).length > 0, "Change at least one field"),
});
export type UpdateEmployeeInput = z.input<typeof updateEmployeeInput>;

export const terminateEmployeeInput = z.object({
  employeeId: z.uuid("Choose an employee"),
  endDate: isoDate,
  reason: z.string().trim().max(1000, "Use at most 1000 characters").default(""),
});
export type TerminateEmployeeInput = z.input<typeof terminateEmployeeInput>;

export const TIME_OFF_KINDS = ["vacation", "sick", "parental", "unpaid", "other"] as const;
export type TimeOffKind = (typeof TIME_OFF_KINDS)[number];
export const createPolicyInput = z.object({
  name: z.string("Name the policy").trim().min(1, "Name the policy").max(200, "Use at most 200 characters"),
  kind: z.enum(TIME_OFF_KINDS, "Choose vacation, sick, parental, unpaid or other"),
  accrualDaysPerYear: halfDayAmount,
  maxCarryoverDays: halfDayAmount.default(0),
});

export const requestTimeOffInput = z
  .object({
    employeeId: z.uuid("Choose an employee"),
    policyId: z.uuid("Choose a policy"),
    startDate: isoDate,
    endDate: isoDate,
    /** Defaults to the working days (Monday to Friday) in the range; give 0.5 for a half day. */
    days: halfDayAmount.refine((d) => d > 0, "Take at least half a day").optional(),
    reason: z.string().trim().max(1000, "Use at most 1000 characters").default(""),
  })
  .superRefine((r, issues) => {
    if (r.endDate < r.startDate)
      issues.addIssue({ code: "custom", path: ["endDate"], message: "End on or after the start date" });
    else if (r.startDate.slice(0, 4) !== r.endDate.slice(0, 4))
      issues.addIssue({
        code: "custom",
        path: ["endDate"],
        message: "Split time off that crosses the new year",
      });
  });
export type RequestTimeOffInput = z.input<typeof requestTimeOffInput>;

export const decideTimeOffInput = z.object({
  requestId: z.uuid("Choose a request"),
  decision: z.enum(["approved", "rejected"], "Choose approved or rejected").default("approved"),
});

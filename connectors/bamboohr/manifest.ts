import { z } from "zod";
import { allowHostsSetting, httpUrl, plainHttpProblem } from "../http/connection";
import { defineAction, defineManifest } from "../sdk";

/**
 * BambooHR, over its REST API (https://documentation.bamboohr.com/reference): reads, creates and
 * updates employees in the tenant's BambooHR account. Requests go to
 * `<baseUrl>/api/gateway.php/<companyDomain>/v1/…` with HTTP Basic auth (the API key as the user name,
 * any password), through the SSRF guard.
 */

export const bambooConfig = z
  .object({
    companyDomain: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "The part before .bamboohr.com, like acme")
      .describe("Company domain: the part before .bamboohr.com when you sign in"),
    baseUrl: httpUrl.default("https://api.bamboohr.com").describe("API base URL"),
    allowHosts: allowHostsSetting.describe(
      "Internal hosts this connection may reach on purpose (host or host:port)",
    ),
  })
  .superRefine((config, issues) => {
    const problem = plainHttpProblem(config.baseUrl, config.allowHosts);
    if (problem !== null) issues.addIssue({ code: "custom", path: ["baseUrl"], message: problem });
  });
export type BambooConfig = z.output<typeof bambooConfig>;

export const bambooCredentials = z.strictObject({
  apiKey: z.string().min(1).describe("API key (BambooHR: your name → API Keys)"),
});
export type BambooCredentials = z.output<typeof bambooCredentials>;

/** BambooHR's employee ids are whole numbers, sent and returned as strings. */
const employeeId = z
  .union([
    z.string().regex(/^[1-9]\d{0,17}$/, "A BambooHR employee id is a number, like 123"),
    z.int().positive(),
  ])
  .transform(String);

const name = z.string().trim().min(1, "Cannot be empty").max(100, "Use at most 100 characters");
const text = z.string().trim().max(200, "Use at most 200 characters");
const email = z.email("Enter an email address").max(254).toLowerCase();
const date = z.iso.date("Use a date as YYYY-MM-DD");

/** The fields the connector reads; BambooHR's names, so they match its documentation. */
export const EMPLOYEE_FIELDS = [
  "firstName",
  "lastName",
  "workEmail",
  "jobTitle",
  "department",
  "supervisorEId",
  "status",
  "hireDate",
] as const;

const nullableText = z.string().nullable();
export const employeeOutput = z.object({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  workEmail: nullableText,
  jobTitle: nullableText,
  department: nullableText,
  /** The supervisor's employee id. */
  supervisorEId: nullableText,
  /** "Active" or "Inactive". */
  status: nullableText,
  /** YYYY-MM-DD. */
  hireDate: nullableText,
});
export type Employee = z.output<typeof employeeOutput>;

export const readInput = z.union([
  z.strictObject({ id: employeeId }),
  z.strictObject({ email: email.describe("Work email") }),
]);
export type ReadInput = z.output<typeof readInput>;

export const createInput = z.strictObject({
  firstName: name,
  lastName: name,
  workEmail: email.optional(),
  jobTitle: text.optional(),
  department: text.optional(),
  hireDate: date.optional(),
});
export type CreateInput = z.output<typeof createInput>;

export const createOutput = z.object({ id: z.string() });

/** Fields an update may change; `null` clears an optional one. */
export const updateFields = z
  .strictObject({
    firstName: name.optional(),
    lastName: name.optional(),
    workEmail: email.nullable().optional(),
    jobTitle: text.nullable().optional(),
    department: text.nullable().optional(),
    hireDate: date.nullable().optional(),
  })
  .refine(
    (fields) => Object.values(fields).some((v) => v !== undefined),
    "Give at least one field to change",
  );
export type UpdateFields = z.output<typeof updateFields>;
export const UPDATABLE_FIELDS = [
  "firstName",
  "lastName",
  "workEmail",
  "jobTitle",
  "department",
  "hireDate",
] as const;
export type UpdatableField = (typeof UPDATABLE_FIELDS)[number];

export const updateInput = z.strictObject({ id: employeeId, fields: updateFields });
export type UpdateInput = z.output<typeof updateInput>;

const fieldValue = z.string().nullable();
export const updateOutput = z.object({
  id: z.string(),
  /** The fields that differed, and were written. */
  changed: z.record(z.string(), z.object({ from: fieldValue, to: fieldValue })),
  /** Every requested field's value before the update: what the reverse update writes back. */
  previous: z.record(z.string(), fieldValue),
});
export type UpdateOutput = z.output<typeof updateOutput>;

export const bambooManifest = defineManifest({
  id: "bamboohr",
  version: "1.0.0",
  name: "BambooHR",
  category: "hr",
  description: "Reads, creates and updates employees in BambooHR through its REST API.",
  auth: { type: "basic", credentials: bambooCredentials, config: bambooConfig },
  // BambooHR does not publish its limits and answers 503 when a client sends too much.
  rateLimits: { concurrency: 5, tenantRequestsPerMinute: 120 },
  actions: {
    "hr.remote.employee.read": defineAction({
      action: "hr.remote.employee.read",
      title: "Read an employee in BambooHR",
      effect: "read",
      input: readInput,
      output: employeeOutput,
      reversible: false,
      scopes: ["employees:read"],
      timeoutMs: 30_000,
      describe: (input) =>
        "id" in input
          ? `Read BambooHR employee ${input.id}`
          : `Read the BambooHR employee with work email ${input.email}`,
    }),
    "hr.remote.employee.create": defineAction({
      action: "hr.remote.employee.create",
      title: "Create an employee in BambooHR",
      effect: "write",
      input: createInput,
      output: createOutput,
      // The API has no delete; an employee created by mistake is set Inactive by a person.
      reversible: false,
      resources: (input) => (input.workEmail ? [{ key: `bamboohr:employee-email:${input.workEmail}` }] : []),
      scopes: ["employees:write"],
      timeoutMs: 30_000,
      maxParallel: 2,
      describe: (input) =>
        `Create BambooHR employee ${input.firstName} ${input.lastName}${input.workEmail ? ` <${input.workEmail}>` : ""}`,
    }),
    "hr.remote.employee.update": defineAction({
      action: "hr.remote.employee.update",
      title: "Update an employee in BambooHR",
      effect: "write",
      input: updateInput,
      output: updateOutput,
      reversible: {
        by: "hr.remote.employee.update",
        input: (_input, output) => ({ id: output.id, fields: output.previous }),
      },
      resources: (input) => [{ key: `bamboohr:employee:${input.id}` }],
      scopes: ["employees:write"],
      timeoutMs: 30_000,
      describe: (input) => `Update ${Object.keys(input.fields).join(", ")} of BambooHR employee ${input.id}`,
    }),
  },
});

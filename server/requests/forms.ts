/**
 * Each request type's form: the input its workflow takes, as a zod schema. The request page generates
 * its form from these (labels, widgets and where a select's options come from are in `.meta()`), the
 * browser validates with them before sending, and the server validates again on submit and in the
 * workflow. Plain zod only: client components import this module.
 */
import { z } from "zod";
import type { RequestType } from "./types";

/**
 * How a field is drawn. `optionsFrom` names a list the server fills per tenant and person
 * (server/requests/options.ts): the schema says a UUID, the form offers the tenant's rooms.
 */
export type FieldMeta = {
  title: string;
  description?: string;
  widget?: "text" | "textarea" | "date" | "datetime" | "number" | "money" | "select" | "checkbox" | "email";
  optionsFrom?: OptionSource;
  placeholder?: string;
};

export const OPTION_SOURCES = [
  "timeOffPolicies",
  "accessRoles",
  "deviceKinds",
  "rooms",
  "desks",
  "sites",
  "spaces",
  "expenseCategories",
  "costCenters",
  "vendors",
  "departments",
  "employees",
  "managers",
] as const;
export type OptionSource = (typeof OPTION_SOURCES)[number];

const meta = (m: FieldMeta) => m as Record<string, unknown>;

const isoDate = z.iso.date("Use a date as YYYY-MM-DD");
const localDateTime = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "Give a date and time");
const reason = (title: string, required: boolean) => {
  const text = z.string().trim().max(1000, "Use at most 1000 characters");
  return (required ? text.min(1, `${title}: say why`) : text.default("")).meta(
    meta({ title, widget: "textarea" }),
  );
};
const uuidFrom = (title: string, optionsFrom: OptionSource, message: string) =>
  z.uuid(message).meta(meta({ title, widget: "select", optionsFrom }));
const amount = z
  .number("Give an amount")
  .positive("Give an amount above zero")
  .max(10_000_000, "At most 10,000,000")
  .refine((n) => Math.round(n * 100) === Number((n * 100).toFixed(6)), "Use at most two decimals")
  .meta(meta({ title: "Amount", widget: "money" }));
const currency = z
  .string()
  .trim()
  .regex(/^[A-Z]{3}$/, "Use an ISO 4217 code such as EUR")
  .default("EUR")
  .meta(meta({ title: "Currency", placeholder: "EUR" }));

export const timeOffForm = z
  .object({
    policyId: uuidFrom("Kind of time off", "timeOffPolicies", "Choose a kind of time off"),
    startDate: isoDate.meta(meta({ title: "First day", widget: "date" })),
    endDate: isoDate.meta(meta({ title: "Last day", widget: "date" })),
    reason: reason("Note for your manager", false),
  })
  .refine((f) => f.endDate >= f.startDate, { message: "End on or after the first day", path: ["endDate"] });

export const softwareAccessForm = z.object({
  roleId: uuidFrom("App and role", "accessRoles", "Choose an app and role"),
  reason: reason("Why you need it", true),
});

export const equipmentForm = z.object({
  kind: z
    .string()
    .trim()
    .min(1, "Choose a kind of device")
    .meta(meta({ title: "Device", widget: "select", optionsFrom: "deviceKinds" })),
  reason: reason("Why you need it", true),
});

export const roomBookingForm = z
  .object({
    spaceId: uuidFrom("Room", "rooms", "Choose a room"),
    title: z
      .string()
      .trim()
      .min(1, "Give the meeting a title")
      .max(200, "Use at most 200 characters")
      .meta(meta({ title: "Title" })),
    start: localDateTime.meta(meta({ title: "Starts", widget: "datetime" })),
    end: localDateTime.meta(meta({ title: "Ends", widget: "datetime" })),
    private: z
      .boolean()
      .default(false)
      .meta(meta({ title: "Hide the title from others", widget: "checkbox" })),
  })
  .refine((f) => f.end > f.start, { message: "End after the start", path: ["end"] });

export const maintenanceForm = z.object({
  spaceId: uuidFrom("Where", "spaces", "Say which space needs work"),
  title: z
    .string()
    .trim()
    .min(1, "Say what is wrong")
    .max(200, "Use at most 200 characters")
    .meta(meta({ title: "What is wrong" })),
  description: z
    .string()
    .trim()
    .max(10_000, "Use at most 10000 characters")
    .default("")
    .meta(meta({ title: "Details", widget: "textarea" })),
  priority: z
    .enum(["low", "normal", "high", "urgent"], "Choose low, normal, high or urgent")
    .default("normal")
    .meta(meta({ title: "Priority", widget: "select" })),
});

export const expenseForm = z.object({
  date: isoDate.meta(meta({ title: "Date", widget: "date" })),
  merchant: z
    .string()
    .trim()
    .min(1, "Name the merchant")
    .max(200, "Use at most 200 characters")
    .meta(meta({ title: "Merchant" })),
  amount,
  currency,
  category: z
    .string()
    .trim()
    .min(1, "Choose a category")
    .meta(meta({ title: "Category", widget: "select", optionsFrom: "expenseCategories" })),
  costCenterId: uuidFrom("Cost center", "costCenters", "Choose a cost center"),
  description: z
    .string()
    .trim()
    .max(2000, "Use at most 2000 characters")
    .default("")
    .meta(meta({ title: "What it was for", widget: "textarea" })),
});

export const purchaseForm = z.object({
  vendorId: uuidFrom("Vendor", "vendors", "Choose a vendor"),
  costCenterId: uuidFrom("Cost center", "costCenters", "Choose a cost center"),
  description: z
    .string()
    .trim()
    .min(1, "Say what is bought")
    .max(2000, "Use at most 2000 characters")
    .meta(meta({ title: "What is bought", widget: "textarea" })),
  amount,
  currency,
});

const personName = (title: string) =>
  z
    .string()
    .trim()
    .min(1, `Give the ${title.toLowerCase()}`)
    .max(100, "Use at most 100 characters")
    .meta(meta({ title }));

export const onboardingForm = z.object({
  givenName: personName("First name"),
  familyName: personName("Last name"),
  email: z
    .email("Give their work email")
    .max(254)
    .meta(meta({ title: "Work email", widget: "email" })),
  jobTitle: z
    .string()
    .trim()
    .min(1, "Give their job title")
    .max(200, "Use at most 200 characters")
    .meta(meta({ title: "Job title" })),
  departmentId: uuidFrom("Department", "departments", "Choose a department"),
  managerEmployeeId: uuidFrom("Manager", "managers", "Choose their manager"),
  startDate: isoDate.meta(meta({ title: "Start date", widget: "date" })),
  accessRoleIds: z
    .array(z.uuid("Choose apps from the access catalog"))
    .max(20, "At most 20 apps")
    .default([])
    .meta(meta({ title: "Apps", widget: "select", optionsFrom: "accessRoles" })),
  deviceKind: z
    .string()
    .trim()
    .max(40)
    .default("")
    .meta(meta({ title: "Device", widget: "select", optionsFrom: "deviceKinds" })),
  deskId: z
    .uuid("Choose a desk")
    .optional()
    .meta(meta({ title: "Desk on the first day", widget: "select", optionsFrom: "desks" })),
});

export const offboardingForm = z.object({
  employeeId: uuidFrom("Who is leaving", "employees", "Choose the person leaving"),
  lastDay: isoDate.meta(meta({ title: "Last day", widget: "date" })),
  reason: reason("Reason", true),
});

/** The form of each request type; the workflow's input is exactly what its form gives. */
export const REQUEST_FORMS = {
  "time-off": timeOffForm,
  "software-access": softwareAccessForm,
  equipment: equipmentForm,
  "room-booking": roomBookingForm,
  maintenance: maintenanceForm,
  expense: expenseForm,
  purchase: purchaseForm,
  onboarding: onboardingForm,
  offboarding: offboardingForm,
} as const satisfies Record<RequestType, z.ZodType>;

export type RequestForms = typeof REQUEST_FORMS;
export type FormInput<T extends RequestType> = z.output<RequestForms[T]>;

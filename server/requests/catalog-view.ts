/**
 * What the Requests page shows of the request types: each type's card and its generated form. The form
 * is read off the type's zod schema (forms.ts) through its JSON Schema for what callers send
 * (`z.toJSONSchema(schema, { io: "input" })`, which keeps the `.meta()` keys), so a field is required
 * exactly when the schema requires it; selects are filled from the tenant's own data per `optionsFrom`.
 * Plain JSON out (no zod, no functions), so it crosses the API; the browser validates with the same
 * schema from forms.ts.
 */
import { z } from "zod";
import { listSpaces, listSites, type SpaceKind } from "@/server/facilities/spaces";
import { EXPENSE_CATEGORIES, categoryName } from "@/server/finance/accounts";
import { listVendors } from "@/server/finance/vendors";
import { fullName, listDepartments, listEmployees } from "@/server/hr/employees";
import { listTimeOffPolicies } from "@/server/hr/time-off";
import { listRequestable } from "@/server/it/access-catalog";
import { DEVICE_KINDS } from "@/server/it/devices-schemas";
import type { JsonValue } from "@/server/kernel/audit/canonical-json";
import type { TenantContext } from "@/server/tenancy/context";
import { definitionOf } from "./catalog";
import type { RequestDefinition } from "./definition";
import { OPTION_SOURCES, type OptionSource } from "./forms";
import { isManagerOrHr } from "./requests";
import { REQUEST_TYPES, type RequestType } from "./types";

export const FIELD_WIDGETS = [
  "text",
  "textarea",
  "date",
  "datetime",
  "number",
  "money",
  "select",
  "multiselect",
  "checkbox",
  "email",
] as const;
export type FieldWidget = (typeof FIELD_WIDGETS)[number];

export type FieldOption = { value: string; label: string };

/** One input of a request form. */
export type FormFieldView = {
  name: string;
  label: string;
  description: string | null;
  placeholder: string | null;
  /** How to draw it: `multiselect` is an array field (several choices), `datetime` a local date and time. */
  widget: FieldWidget;
  required: boolean;
  /** The choices of a select, from the tenant's data (`optionsFrom`) or the schema's enum; else null. */
  options: FieldOption[] | null;
  /** What the schema fills in when the field is left out. */
  defaultValue: JsonValue | null;
  maxLength: number | null;
};

export type CatalogEntryView = {
  type: RequestType;
  title: string;
  description: string;
  category: RequestDefinition["category"];
  audience: RequestDefinition["audience"];
  /** Whether the viewer may ask for it (types for managers: owners, admins and people with reports). */
  available: boolean;
  /** The form; empty for a type the viewer may not ask for. */
  fields: FormFieldView[];
};

type JsonObject = { [key: string]: JsonValue };
const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const strings = (value: JsonValue | undefined): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
const text = (value: JsonValue | undefined): string | null =>
  typeof value === "string" && value.trim() !== "" ? value : null;
const optionSourceOf = (value: JsonValue | undefined): OptionSource | null =>
  OPTION_SOURCES.find((s) => s === value) ?? null;

/** A field as the schema describes it, before the tenant's options are filled in. */
type FieldShape = Omit<FormFieldView, "options"> & { optionsFrom: OptionSource | null; enum: string[] };

function widgetOf(property: JsonObject): FieldWidget {
  const declared = FIELD_WIDGETS.find((w) => w === property.widget);
  if (property.type === "array") return "multiselect";
  if (declared) return declared;
  if (property.type === "boolean") return "checkbox";
  if (property.type === "number" || property.type === "integer") return "number";
  if (property.format === "email") return "email";
  if (strings(property.enum).length > 0) return "select";
  return "text";
}

/** The fields of a form schema, in declaration order. */
export function formFields(schema: z.ZodType): FieldShape[] {
  const json = JSON.parse(JSON.stringify(z.toJSONSchema(schema, { io: "input" }))) as JsonValue;
  if (!isObject(json) || !isObject(json.properties)) return [];
  const required = new Set(strings(json.required));
  return Object.entries(json.properties).map(([name, value]) => {
    const property = isObject(value) ? value : {};
    const items = isObject(property.items) ? property.items : {};
    return {
      name,
      label: text(property.title) ?? name,
      description: text(property.description),
      placeholder: text(property.placeholder),
      widget: widgetOf(property),
      required: required.has(name),
      defaultValue: property.default ?? null,
      maxLength: typeof property.maxLength === "number" ? property.maxLength : null,
      optionsFrom: optionSourceOf(property.optionsFrom),
      enum: strings(property.enum).length > 0 ? strings(property.enum) : strings(items.enum),
    };
  });
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

async function spacesOf(ctx: TenantContext, kind?: SpaceKind): Promise<FieldOption[]> {
  const spaces = await listSpaces(ctx, kind ? { kind } : {});
  return spaces
    .filter((s) => kind === undefined || s.bookable)
    .map((s) => ({
      value: s.id,
      label: `${s.name} (${s.siteName}${s.capacity === null ? "" : `, ${s.capacity} seats`})`,
    }));
}

async function peopleOf(ctx: TenantContext, activeOnly: boolean): Promise<FieldOption[]> {
  const people = await listEmployees(ctx);
  return people
    .filter((p) => !activeOnly || p.status === "active")
    .map((p) => ({ value: p.id, label: p.title ? `${fullName(p)} (${p.title})` : fullName(p) }));
}

/** The choices each option source offers in this tenant, to this viewer. */
const OPTION_LOADERS: Record<OptionSource, (ctx: TenantContext) => Promise<FieldOption[]>> = {
  timeOffPolicies: async (ctx) =>
    (await listTimeOffPolicies(ctx)).map((p) => ({ value: p.id, label: p.name })),
  accessRoles: async (ctx) =>
    (await listRequestable(ctx)).flatMap((app) =>
      app.roles.map((role) => ({
        value: role.id,
        label: `${app.name}: ${role.name}${role.requiresApproval ? " (needs the app's approval)" : ""}`,
      })),
    ),
  deviceKinds: () => Promise.resolve(DEVICE_KINDS.map((k) => ({ value: k, label: capitalized(k) }))),
  rooms: (ctx) => spacesOf(ctx, "room"),
  desks: (ctx) => spacesOf(ctx, "desk"),
  sites: async (ctx) => (await listSites(ctx)).map((s) => ({ value: s.id, label: s.name })),
  spaces: (ctx) => spacesOf(ctx),
  expenseCategories: () =>
    Promise.resolve(EXPENSE_CATEGORIES.map((c) => ({ value: c, label: categoryName(c) }))),
  costCenters: async (ctx) => {
    const centers = await ctx.db.costCenter.findMany({
      where: { tenantId: ctx.tenantId },
      orderBy: [{ fiscalYear: "desc" }, { code: "asc" }],
      select: { id: true, code: true, name: true, fiscalYear: true },
    });
    return centers.map((c) => ({ value: c.id, label: `${c.code} ${c.name} (${c.fiscalYear})` }));
  },
  vendors: async (ctx) => (await listVendors(ctx)).map((v) => ({ value: v.id, label: v.name })),
  departments: async (ctx) => (await listDepartments(ctx)).map((d) => ({ value: d.id, label: d.name })),
  employees: (ctx) => peopleOf(ctx, false),
  managers: (ctx) => peopleOf(ctx, true),
};

/**
 * Every request type for the viewer: its card, whether they may ask for it, and (when they may) its
 * form with the selects filled from the tenant's data. Each option source is read once.
 */
export async function requestCatalog(ctx: TenantContext): Promise<CatalogEntryView[]> {
  const manager = await isManagerOrHr(ctx);
  const loaded = new Map<OptionSource, FieldOption[]>();
  const optionsOf = async (source: OptionSource) => {
    const cached = loaded.get(source);
    if (cached) return cached;
    const options = await OPTION_LOADERS[source](ctx);
    loaded.set(source, options);
    return options;
  };
  const entries: CatalogEntryView[] = [];
  for (const type of REQUEST_TYPES) {
    const definition = definitionOf(type);
    const available = definition.audience === "everyone" || manager;
    const fields: FormFieldView[] = [];
    if (available) {
      for (const { optionsFrom, enum: values, ...field } of formFields(definition.form)) {
        const options = optionsFrom
          ? await optionsOf(optionsFrom)
          : values.length > 0
            ? values.map((v) => ({ value: v, label: capitalized(v) }))
            : null;
        fields.push({ ...field, options });
      }
    }
    entries.push({
      type,
      title: definition.title,
      description: definition.description,
      category: definition.category,
      audience: definition.audience,
      available,
      fields,
    });
  }
  return entries;
}

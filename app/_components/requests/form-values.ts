import type { RequestFormField } from "@/app/_lib/trpc-types";

/** What a generated form holds per field: text for most inputs, a flag for checkboxes, ids for a multi-select. */
export type FieldValue = string | boolean | string[];
export type FormValues = Record<string, FieldValue>;

/** The form's starting values: the schema's defaults, else empty. */
export function initialValues(fields: readonly RequestFormField[]): FormValues {
  const values: FormValues = {};
  for (const f of fields) {
    const d = f.defaultValue;
    if (f.widget === "checkbox") values[f.name] = d === true;
    else if (f.widget === "multiselect")
      values[f.name] = Array.isArray(d) ? d.filter((v): v is string => typeof v === "string") : [];
    else values[f.name] = typeof d === "string" || typeof d === "number" ? String(d) : "";
  }
  return values;
}

/**
 * The form's values as the request type's schema takes them: numbers as numbers; an empty optional
 * field left out (so the schema's default applies); an empty required one sent empty, so the schema's
 * own message ("Choose a room") is what the person reads.
 */
export function formInput(fields: readonly RequestFormField[], values: FormValues): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const f of fields) {
    const value = values[f.name];
    if (typeof value === "boolean" || Array.isArray(value)) {
      input[f.name] = value;
      continue;
    }
    const text = value ?? "";
    if (f.widget === "number" || f.widget === "money") {
      if (text.trim() !== "") input[f.name] = Number(text);
      continue;
    }
    if (text.trim() === "" && !f.required) continue;
    input[f.name] = text;
  }
  return input;
}

/** The first message per top-level field of zod-like issues, and the rest for the whole form. */
export function issuesByField(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  names: readonly string[],
): { fields: Record<string, string>; form: string | null } {
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const issue of issues) {
    const name = issue.path[0];
    if (typeof name === "string" && names.includes(name)) fields[name] ??= issue.message;
    else rest.push(issue.message);
  }
  return { fields, form: rest.length > 0 ? rest.join(" ") : null };
}

"use client";

import { CheckboxField, SelectField, TextAreaField, TextField } from "@/app/_components/ui/field";
import type { ConnectorField } from "@/app/_lib/trpc-types";
import type { Draft } from "./connector-view";

const FORMAT_TYPES: Record<string, string> = { uri: "url", email: "email" };

/**
 * Inputs generated from a connector's credential or config fields. Secret fields are password boxes
 * the browser does not fill in or remember, and always start empty: a saved secret is never shown.
 * `prefix` is the field's path in the API's error messages ("credentials", "config").
 */
export function ConnectionFields({
  fields,
  draft,
  onChange,
  errors,
  prefix,
}: {
  fields: readonly ConnectorField[];
  draft: Draft;
  onChange: (name: string, value: string | boolean) => void;
  /** By the field's path, e.g. "config.baseUrl". */
  errors: Partial<Record<string, string>>;
  prefix: "credentials" | "config";
}) {
  return (
    <>
      {fields.map((field) => {
        const value = draft[field.name];
        const text = typeof value === "string" ? value : "";
        const error = errors[`${prefix}.${field.name}`];
        const label = field.required || field.type === "boolean" ? field.label : `${field.label} (optional)`;
        const name = `${prefix}.${field.name}`;
        if (field.type === "boolean")
          return (
            <CheckboxField
              key={field.name}
              label={label}
              name={name}
              checked={value === true}
              onChange={(e) => onChange(field.name, e.target.checked)}
            />
          );
        if (field.options && !field.secret)
          return (
            <SelectField
              key={field.name}
              label={label}
              name={name}
              value={text}
              onChange={(e) => onChange(field.name, e.target.value)}
              options={[
                ...(field.required ? [] : [{ value: "", label: "Not set" }]),
                ...field.options.map((o) => ({ value: o, label: o })),
              ]}
              error={error}
            />
          );
        if (field.type === "array" || field.type === "json")
          return (
            <TextAreaField
              key={field.name}
              label={label}
              name={name}
              rows={3}
              value={text}
              spellCheck={false}
              onChange={(e) => onChange(field.name, e.target.value)}
              hint={field.type === "array" ? "One per line." : "As JSON."}
              error={error}
            />
          );
        return (
          <TextField
            key={field.name}
            label={label}
            name={name}
            type={field.secret ? "password" : (FORMAT_TYPES[field.format ?? ""] ?? "text")}
            inputMode={field.type === "number" || field.type === "integer" ? "decimal" : undefined}
            autoComplete="off"
            spellCheck={false}
            value={text}
            onChange={(e) => onChange(field.name, e.target.value)}
            hint={field.secret ? "Stored encrypted; never shown again after saving." : undefined}
            error={error}
          />
        );
      })}
    </>
  );
}

"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { z } from "zod";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SectionCard } from "@/app/_components/ui/card";
import { CheckboxField, SelectField, TextAreaField, TextField } from "@/app/_components/ui/field";
import { linkClass } from "@/app/_components/ui/styles";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { RequestFormField } from "@/app/_lib/trpc-types";
import { REQUEST_FORMS } from "@/server/requests/forms";
import type { RequestType } from "@/server/requests/types";
import { formInput, initialValues, issuesByField, type FieldValue, type FormValues } from "./form-values";

/**
 * A request type's form, generated from its fields (server/requests/catalog-view.ts). The browser checks
 * it with the same zod schema the server uses (server/requests/forms.ts), so mistakes show next to their
 * fields before anything is sent; the server's own field errors land in the same places.
 */
export function RequestForm({ slug, type }: { slug: string; type: RequestType }) {
  const trpc = useTRPC();
  const catalog = useQuery(trpc.request.catalog.queryOptions());
  const entry = catalog.data?.find((e) => e.type === type);

  if (catalog.isError) return <Alert>Could not load the form: {catalog.error.message}</Alert>;
  if (!catalog.data) return <p className="text-sm text-slate-600">Loading the form…</p>;
  if (!entry) return <Alert>There is no such request.</Alert>;
  if (!entry.available)
    return (
      <p
        role="status"
        className="rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-800"
      >
        {entry.title} requests are for managers (people with reports), owners and admins.
      </p>
    );
  return <GeneratedForm key={type} slug={slug} type={type} title={entry.title} fields={entry.fields} />;
}

function GeneratedForm({
  slug,
  type,
  title,
  fields,
}: {
  slug: string;
  type: RequestType;
  title: string;
  fields: readonly RequestFormField[];
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<FormValues>(() => initialValues(fields));
  const [local, setLocal] = useState<{ fields: Record<string, string>; form: string | null }>({
    fields: {},
    form: null,
  });
  const submit = useMutation(
    trpc.request.submit.mutationOptions({
      onSuccess: async (request) => {
        await queryClient.invalidateQueries({ queryKey: trpc.request.mine.queryKey() });
        router.push(`/t/${slug}/requests/${request.id}`);
      },
    }),
  );
  const names = fields.map((f) => f.name);
  const server = formErrors(submit.error, names);
  const errorOf = (name: string) => local.fields[name] ?? server.fields[name];

  const set = (name: string, value: FieldValue) => setValues((v) => ({ ...v, [name]: value }));

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    submit.reset();
    const input = formInput(fields, values);
    const schema: z.ZodType = REQUEST_FORMS[type];
    const checked = schema.safeParse(input);
    if (!checked.success) {
      setLocal(issuesByField(checked.error.issues, names));
      return;
    }
    setLocal({ fields: {}, form: null });
    submit.mutate({ type, input });
  }

  return (
    <SectionCard id="request-form" title={title}>
      <form className="space-y-4" onSubmit={onSubmit} noValidate aria-label={`Request ${title}`}>
        {fields.map((field) => (
          <FormField
            key={field.name}
            field={field}
            value={values[field.name]}
            error={errorOf(field.name)}
            onChange={(value) => set(field.name, value)}
          />
        ))}
        {local.form ? <Alert>{local.form}</Alert> : null}
        {server.form ? <Alert>{server.form}</Alert> : null}
        <div className="flex items-center gap-3">
          <Button type="submit" pending={submit.isPending}>
            Submit request
          </Button>
          <Link href={`/t/${slug}/requests`} className={`text-sm ${linkClass}`}>
            Back to requests
          </Link>
        </div>
      </form>
    </SectionCard>
  );
}

const INPUT_TYPES: Partial<Record<RequestFormField["widget"], string>> = {
  date: "date",
  datetime: "datetime-local",
  email: "email",
  number: "number",
  money: "number",
};

function FormField({
  field,
  value,
  error,
  onChange,
}: {
  field: RequestFormField;
  value: FieldValue | undefined;
  error: string | undefined;
  onChange: (value: FieldValue) => void;
}) {
  const label = field.required ? field.label : `${field.label} (optional)`;
  const hint = field.description ?? undefined;
  const options = field.options ?? [];

  if (field.widget === "checkbox")
    return (
      <CheckboxField
        label={field.label}
        hint={hint}
        name={field.name}
        checked={value === true}
        onChange={(e) => onChange(e.target.checked)}
      />
    );

  if (field.widget === "multiselect") {
    const chosen = Array.isArray(value) ? value : [];
    return (
      <fieldset aria-describedby={error ? `${field.name}-error` : undefined}>
        <legend className="text-sm font-medium text-slate-800">{label}</legend>
        {options.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">Nothing to choose from yet.</p>
        ) : (
          <div className="mt-2 grid gap-2 sm:grid-cols-2">
            {options.map((o) => (
              <CheckboxField
                key={o.value}
                label={o.label}
                name={field.name}
                value={o.value}
                checked={chosen.includes(o.value)}
                onChange={(e) =>
                  onChange(e.target.checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value))
                }
              />
            ))}
          </div>
        )}
        {error ? (
          <p id={`${field.name}-error`} className="mt-1 text-sm text-red-700">
            {error}
          </p>
        ) : null}
      </fieldset>
    );
  }

  const text = typeof value === "string" ? value : "";
  if (field.widget === "select")
    return (
      <SelectField
        label={label}
        name={field.name}
        value={text}
        error={error}
        hint={options.length === 0 ? "Nothing to choose from yet: ask an admin to add some." : hint}
        onChange={(e) => onChange(e.target.value)}
        options={[{ value: "", label: field.required ? "Choose…" : "None" }, ...options]}
      />
    );

  if (field.widget === "textarea")
    return (
      <TextAreaField
        label={label}
        name={field.name}
        rows={3}
        value={text}
        error={error}
        hint={hint}
        maxLength={field.maxLength ?? undefined}
        onChange={(e) => onChange(e.target.value)}
      />
    );

  return (
    <TextField
      label={label}
      name={field.name}
      type={INPUT_TYPES[field.widget] ?? "text"}
      step={field.widget === "money" ? "0.01" : undefined}
      min={field.widget === "money" ? "0" : undefined}
      inputMode={field.widget === "money" ? "decimal" : undefined}
      value={text}
      error={error}
      hint={hint}
      placeholder={field.placeholder ?? undefined}
      maxLength={field.maxLength ?? undefined}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

"use client";

import { useState } from "react";
import { TextField } from "@/app/_components/ui/field";
import { suggestSlug } from "@/app/_lib/slug";

/** A tenant's name and address, the address following the name until the person edits it. */
export function useTenantFields() {
  const [name, setName] = useState("");
  const [slugInput, setSlugInput] = useState<string | null>(null);
  return { name, setName, slug: slugInput ?? suggestSlug(name), setSlug: setSlugInput };
}

export function TenantFields({
  fields,
  inputNames,
  errors,
}: {
  fields: ReturnType<typeof useTenantFields>;
  /** The form field names, so the server's field errors line up (e.g. "tenantName" / "tenantSlug"). */
  inputNames: { name: string; slug: string };
  errors: { name?: string | undefined; slug?: string | undefined };
}) {
  return (
    <>
      <TextField
        label="Company name"
        name={inputNames.name}
        autoComplete="organization"
        required
        value={fields.name}
        onChange={(e) => fields.setName(e.target.value)}
        error={errors.name}
      />
      <TextField
        label="Address"
        name={inputNames.slug}
        required
        autoCapitalize="none"
        spellCheck={false}
        value={fields.slug}
        onChange={(e) => fields.setSlug(e.target.value)}
        hint={
          <>
            The tenant will live at <span className="font-mono text-slate-800">/t/{fields.slug || "…"}</span>
          </>
        }
        error={errors.slug}
      />
    </>
  );
}

"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import { suggestSlug } from "@/app/_lib/slug";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";

const FIELDS = ["name", "slug"] as const;

/** Creates another tenant, owned by the signed-in user, and opens it. */
export function NewTenantForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [name, setName] = useState("");
  // The address follows the company name until the user edits it themselves.
  const [slugInput, setSlugInput] = useState<string | null>(null);
  const slug = slugInput ?? suggestSlug(name);
  const create = useMutation(
    trpc.tenant.create.mutationOptions({ onSuccess: (tenant) => router.push(`/t/${tenant.slug}`) }),
  );
  const errors = formErrors(create.error, FIELDS);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ name, slug });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4">
      <TextField
        label="Company name"
        name="name"
        autoComplete="organization"
        required
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={errors.fields.name}
      />
      <TextField
        label="Address"
        name="slug"
        required
        autoCapitalize="none"
        spellCheck={false}
        value={slug}
        onChange={(e) => setSlugInput(e.target.value)}
        hint={
          <>
            The tenant will live at <span className="font-mono text-slate-800">/t/{slug || "…"}</span>
          </>
        }
        error={errors.fields.slug}
      />
      <Alert>{errors.form}</Alert>
      <Button type="submit" pending={create.isPending || create.isSuccess} className="w-full">
        Create tenant
      </Button>
    </form>
  );
}

"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TenantFields, useTenantFields } from "./tenant-fields";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";

const FIELDS = ["name", "slug"] as const;

/** Creates another tenant, owned by the signed-in user, and opens it. */
export function NewTenantForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const tenant = useTenantFields();
  const create = useMutation(
    trpc.tenant.create.mutationOptions({ onSuccess: (tenant) => router.push(`/t/${tenant.slug}`) }),
  );
  const errors = formErrors(create.error, FIELDS);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ name: tenant.name, slug: tenant.slug });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4">
      <TenantFields
        fields={tenant}
        inputNames={{ name: "name", slug: "slug" }}
        errors={{ name: errors.fields.name, slug: errors.fields.slug }}
      />
      <Alert>{errors.form}</Alert>
      <Button type="submit" pending={create.isPending || create.isSuccess} className="w-full">
        Create tenant
      </Button>
    </form>
  );
}

"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SectionCard } from "@/app/_components/ui/card";
import { SelectField, TextAreaField, TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import { connectionOptions, type ScimConnectionOption } from "./labels";

/** A new app in the catalog: its name, what it is for, and the SCIM connection that provisions it. */
export function AddAppForm({ connections }: { connections: readonly ScimConnectionOption[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [scimConnectionId, setScimConnectionId] = useState("");
  const [added, setAdded] = useState<string | null>(null);
  const create = useMutation(
    trpc.accessCatalog.createApp.mutationOptions({
      onSuccess: async (app) => {
        setAdded(app.name);
        setName("");
        setDescription("");
        setScimConnectionId("");
        await queryClient.invalidateQueries({ queryKey: trpc.accessCatalog.apps.queryKey() });
      },
    }),
  );
  const errors = formErrors(create.error, ["name", "description", "scimConnectionId"] as const);

  function submit(e: FormEvent) {
    e.preventDefault();
    setAdded(null);
    create.mutate({ name, description, scimConnectionId: scimConnectionId === "" ? null : scimConnectionId });
  }

  return (
    <SectionCard
      id="add-app"
      title="Add an app"
      description="Something people can ask for access to. Its roles are added below once it exists."
    >
      <form className="space-y-3" onSubmit={submit} aria-label="Add app" noValidate>
        <TextField
          label="App name"
          name="appName"
          value={name}
          error={errors.fields.name}
          onChange={(e) => setName(e.target.value)}
        />
        <TextAreaField
          label="Description"
          name="description"
          rows={2}
          value={description}
          hint="What the app is for, shown to people choosing it."
          error={errors.fields.description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <SelectField
          label="SCIM connection"
          name="scimConnectionId"
          value={scimConnectionId}
          hint={
            connections.length === 0
              ? "No SCIM connections yet: add one on the Connectors page to provision accounts."
              : "Where granted access is provisioned; None when someone grants it by hand."
          }
          error={errors.fields.scimConnectionId}
          onChange={(e) => setScimConnectionId(e.target.value)}
          options={connectionOptions(connections)}
        />
        {errors.form ? <Alert>{errors.form}</Alert> : null}
        {added ? <Alert tone="success">Added {added}.</Alert> : null}
        <Button type="submit" pending={create.isPending}>
          Add app
        </Button>
      </form>
    </SectionCard>
  );
}

"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SelectField, TextAreaField, TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import { AddRoleForm } from "./add-role-form";
import { connectionOptions, type CatalogApp, type ScimConnectionOption } from "./labels";
import { RolesTable } from "./roles-table";

/**
 * One app of the catalog, named by the app for assistive technology: what it is, the SCIM connection
 * that provisions it, its roles and a form to add one. Archiving hides it from people's requests
 * while keeping it (and its roles) here to bring back.
 */
export function AppSection({
  app,
  connections,
}: {
  app: CatalogApp;
  connections: readonly ScimConnectionOption[];
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const archive = useMutation(
    trpc.accessCatalog.updateApp.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.accessCatalog.apps.queryKey() }),
    }),
  );
  const connection =
    app.scimConnectionId === null
      ? "None: access is granted by hand"
      : (connections.find((c) => c.id === app.scimConnectionId)?.name ??
        "A connection that no longer exists");

  return (
    <section
      aria-label={app.name}
      className={`rounded-lg border bg-white p-6 shadow-xs ${app.archived ? "border-dashed border-slate-300" : "border-slate-200"}`}
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-2">
            <h2 className="text-base font-semibold text-slate-900">{app.name}</h2>
            {app.archived ? (
              <span className="rounded-full bg-slate-100 px-2.5 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-slate-300 ring-inset">
                Archived
              </span>
            ) : null}
          </div>
          {app.description ? <p className="mt-1 text-sm text-slate-600">{app.description}</p> : null}
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
            <dt className="text-slate-600">SCIM connection</dt>
            <dd className="text-slate-800">{connection}</dd>
            <dt className="text-slate-600">Owner</dt>
            <dd className="text-slate-800">{app.owner.name}</dd>
          </dl>
        </div>
        <div className="flex gap-2">
          <Button variant="secondary" size="sm" aria-expanded={editing} onClick={() => setEditing((e) => !e)}>
            {editing ? "Cancel editing" : "Edit app"}
          </Button>
          <Button
            variant="secondary"
            size="sm"
            pending={archive.isPending}
            onClick={() => archive.mutate({ appId: app.id, archived: !app.archived })}
          >
            {app.archived ? "Unarchive app" : "Archive app"}
          </Button>
        </div>
      </div>
      {archive.error ? (
        <div className="mt-3">
          <Alert>{archive.error.message}</Alert>
        </div>
      ) : null}
      {editing ? <EditAppForm app={app} connections={connections} onDone={() => setEditing(false)} /> : null}
      <div className="mt-4 space-y-4">
        <RolesTable app={app} />
        {app.archived ? null : <AddRoleForm appId={app.id} />}
      </div>
    </section>
  );
}

function EditAppForm({
  app,
  connections,
  onDone,
}: {
  app: CatalogApp;
  connections: readonly ScimConnectionOption[];
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(app.name);
  const [description, setDescription] = useState(app.description);
  const [scimConnectionId, setScimConnectionId] = useState(app.scimConnectionId ?? "");
  const update = useMutation(
    trpc.accessCatalog.updateApp.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.accessCatalog.apps.queryKey() });
        onDone();
      },
    }),
  );
  const errors = formErrors(update.error, ["name", "description", "scimConnectionId"] as const);

  function submit(e: FormEvent) {
    e.preventDefault();
    update.mutate({
      appId: app.id,
      name,
      description,
      scimConnectionId: scimConnectionId === "" ? null : scimConnectionId,
    });
  }

  return (
    <form
      className="mt-4 space-y-3 rounded-md border border-slate-200 bg-slate-50 p-4"
      onSubmit={submit}
      aria-label={`Edit ${app.name}`}
      noValidate
    >
      <TextField
        label="Name"
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
        error={errors.fields.description}
        onChange={(e) => setDescription(e.target.value)}
      />
      <SelectField
        label="SCIM connection"
        name="scimConnectionId"
        value={scimConnectionId}
        error={errors.fields.scimConnectionId}
        onChange={(e) => setScimConnectionId(e.target.value)}
        options={connectionOptions(connections)}
      />
      {errors.form ? <Alert>{errors.form}</Alert> : null}
      <Button type="submit" pending={update.isPending}>
        Save app
      </Button>
    </form>
  );
}

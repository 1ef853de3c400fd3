"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SelectField, TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import { APPROVAL_OPTIONS, approvalWords, roleOf, td, th, type CatalogApp, type CatalogRole } from "./labels";

/** An app's roles, archived ones included (marked), each with its group, approver and actions. */
export function RolesTable({ app }: { app: CatalogApp }) {
  const [editing, setEditing] = useState<string | null>(null);
  if (app.roles.length === 0)
    return (
      <p className="text-sm text-slate-600">
        No roles yet. People can ask for access to {app.name} once it has one.
      </p>
    );
  return (
    <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200">
        <caption className="sr-only">Roles in {app.name}</caption>
        <thead className="bg-slate-50">
          <tr>
            <th scope="col" className={`${th} pl-4`}>
              Role
            </th>
            <th scope="col" className={th}>
              SCIM group
            </th>
            <th scope="col" className={th}>
              Approval by
            </th>
            <th scope="col" className={th}>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200">
          {app.roles.map((role) => (
            <Fragment key={role.id}>
              <RoleRow
                role={role}
                editing={editing === role.id}
                onToggleEdit={() => setEditing((current) => (current === role.id ? null : role.id))}
              />
              {editing === role.id ? (
                <tr>
                  <td colSpan={4} className="bg-slate-50 px-4 py-3">
                    <EditRoleForm role={role} onDone={() => setEditing(null)} />
                  </td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RoleRow({
  role,
  editing,
  onToggleEdit,
}: {
  role: CatalogRole;
  editing: boolean;
  onToggleEdit: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const archive = useMutation(
    trpc.accessCatalog.updateRole.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.accessCatalog.apps.queryKey() }),
    }),
  );
  return (
    <tr className={role.archived ? "bg-slate-50 text-slate-500" : undefined}>
      <td className={`${td} pl-4 font-medium`}>
        {role.name}
        {role.archived ? <span className="ml-2 text-xs font-normal text-slate-600">(archived)</span> : null}
      </td>
      <td className={td}>{role.scimGroup ?? <span className="text-slate-500">None</span>}</td>
      <td className={td}>{approvalWords(role.approverRole)}</td>
      <td className={`${td} text-right`}>
        <div className="flex justify-end gap-2">
          <Button
            variant="ghost"
            size="sm"
            aria-label={`${editing ? "Cancel editing" : "Edit"} ${role.name}`}
            aria-expanded={editing}
            onClick={onToggleEdit}
          >
            {editing ? "Cancel" : "Edit"}
          </Button>
          <Button
            variant="ghost"
            size="sm"
            aria-label={`${role.archived ? "Unarchive" : "Archive"} ${role.name}`}
            pending={archive.isPending}
            onClick={() => archive.mutate({ roleId: role.id, archived: !role.archived })}
          >
            {role.archived ? "Unarchive" : "Archive"}
          </Button>
        </div>
        {archive.error ? (
          <p role="alert" className="mt-1 text-sm text-red-700">
            {archive.error.message}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

function EditRoleForm({ role, onDone }: { role: CatalogRole; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(role.name);
  const [scimGroup, setScimGroup] = useState(role.scimGroup ?? "");
  const [approverRole, setApproverRole] = useState<string>(role.approverRole ?? "");
  const update = useMutation(
    trpc.accessCatalog.updateRole.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.accessCatalog.apps.queryKey() });
        onDone();
      },
    }),
  );
  const errors = formErrors(update.error, ["name", "scimGroup", "approverRole"] as const);

  function submit(e: FormEvent) {
    e.preventDefault();
    update.mutate({
      roleId: role.id,
      name,
      scimGroup: scimGroup.trim() === "" ? null : scimGroup,
      approverRole: roleOf(approverRole),
    });
  }

  return (
    <form className="space-y-3" onSubmit={submit} aria-label={`Edit ${role.name}`} noValidate>
      <div className="grid gap-3 sm:grid-cols-3">
        <TextField
          label="Name"
          name="roleName"
          value={name}
          error={errors.fields.name}
          onChange={(e) => setName(e.target.value)}
        />
        <TextField
          label="Group"
          name="scimGroup"
          value={scimGroup}
          error={errors.fields.scimGroup}
          onChange={(e) => setScimGroup(e.target.value)}
        />
        <SelectField
          label="Approver"
          name="approverRole"
          value={approverRole}
          error={errors.fields.approverRole}
          onChange={(e) => setApproverRole(e.target.value)}
          options={APPROVAL_OPTIONS}
        />
      </div>
      {errors.form ? <Alert>{errors.form}</Alert> : null}
      <Button type="submit" size="sm" pending={update.isPending}>
        Save role
      </Button>
    </form>
  );
}

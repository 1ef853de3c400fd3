"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SelectField, TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import { APPROVAL_OPTIONS, roleOf } from "./labels";

/** A new role in an app: the SCIM group that carries it and whose approval a request for it needs. */
export function AddRoleForm({ appId }: { appId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [scimGroup, setScimGroup] = useState("");
  const [approverRole, setApproverRole] = useState("");
  const [added, setAdded] = useState<string | null>(null);
  const create = useMutation(
    trpc.accessCatalog.createRole.mutationOptions({
      onSuccess: async (role) => {
        setAdded(role.name);
        setName("");
        setScimGroup("");
        setApproverRole("");
        await queryClient.invalidateQueries({ queryKey: trpc.accessCatalog.apps.queryKey() });
      },
    }),
  );
  const errors = formErrors(create.error, ["name", "scimGroup", "approverRole"] as const);

  function submit(e: FormEvent) {
    e.preventDefault();
    setAdded(null);
    create.mutate({
      appId,
      name,
      // An empty group is none: the role is granted without a group in the app.
      scimGroup: scimGroup.trim() === "" ? null : scimGroup,
      approverRole: roleOf(approverRole),
    });
  }

  return (
    <form
      className="space-y-3 rounded-md border border-slate-200 p-4"
      onSubmit={submit}
      aria-label="Add role"
      noValidate
    >
      <h3 className="text-sm font-semibold text-slate-900">Add a role</h3>
      <div className="grid gap-3 sm:grid-cols-3">
        <TextField
          label="Role name"
          name="roleName"
          value={name}
          error={errors.fields.name}
          onChange={(e) => setName(e.target.value)}
        />
        <TextField
          label="SCIM group"
          name="scimGroup"
          value={scimGroup}
          hint="The group's name in the app."
          error={errors.fields.scimGroup}
          onChange={(e) => setScimGroup(e.target.value)}
        />
        <SelectField
          label="Approval by"
          name="approverRole"
          value={approverRole}
          hint="After the requester's manager."
          error={errors.fields.approverRole}
          onChange={(e) => setApproverRole(e.target.value)}
          options={APPROVAL_OPTIONS}
        />
      </div>
      {errors.form ? <Alert>{errors.form}</Alert> : null}
      {added ? <Alert tone="success">Added {added}.</Alert> : null}
      <Button type="submit" size="sm" pending={create.isPending}>
        Add role
      </Button>
    </form>
  );
}

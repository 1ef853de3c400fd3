"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SelectField, TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { RoleOption } from "@/app/_lib/trpc-types";
import { InviteLink } from "./invite-link";

const FIELDS = ["email", "role"] as const;

export function InviteForm({ roles, defaultRole }: { roles: readonly RoleOption[]; defaultRole: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState(defaultRole);
  const create = useMutation(
    trpc.invite.create.mutationOptions({
      onSuccess: async () => {
        setEmail("");
        await queryClient.invalidateQueries({ queryKey: trpc.invite.list.queryKey() });
      },
    }),
  );
  const errors = formErrors(create.error, FIELDS);
  const selected = roles.find((r) => r.value === role);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const chosen = roles.find((r) => r.value === role);
    if (!chosen) return;
    create.mutate({ email, role: chosen.value });
  }

  return (
    <div className="space-y-4">
      <form onSubmit={onSubmit} className="space-y-3">
        <div className="grid gap-3 sm:grid-cols-[1fr_14rem_auto] sm:items-start">
          <TextField
            label="Email"
            name="email"
            type="email"
            autoComplete="off"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={errors.fields.email}
          />
          <SelectField
            label="Role"
            name="role"
            value={role}
            onChange={(e) => setRole(e.target.value)}
            options={roles.map((r) => ({
              value: r.value,
              label: r.value[0]?.toUpperCase() + r.value.slice(1),
            }))}
            error={errors.fields.role}
            hint={selected ? `${selected.description}.` : undefined}
          />
          <Button type="submit" pending={create.isPending} className="sm:mt-6">
            Invite
          </Button>
        </div>
        <Alert>{errors.form}</Alert>
      </form>
      {create.data ? <InviteLink key={create.data.id} invite={create.data} /> : null}
    </div>
  );
}

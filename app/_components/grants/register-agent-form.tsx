"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";

const FIELDS = ["name", "skillId", "skillName", "skillVersion", "publisher"] as const;
type Field = (typeof FIELDS)[number];
const EMPTY: Record<Field, string> = {
  name: "",
  skillId: "",
  skillName: "",
  skillVersion: "",
  publisher: "",
};

/** Registers an agent running a skill. It can do nothing until it is given a grant. */
export function RegisterAgentForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState(EMPTY);
  const [registered, setRegistered] = useState<string | null>(null);
  const register = useMutation(
    trpc.agent.register.mutationOptions({
      onSuccess: async (_agent, input) => {
        setRegistered(input.name.trim());
        setForm(EMPTY);
        await queryClient.invalidateQueries({ queryKey: trpc.agent.list.queryKey() });
      },
    }),
  );
  const errors = formErrors(register.error, FIELDS);
  const field = (name: Field) => ({
    name,
    value: form[name],
    required: true,
    onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: e.target.value })),
    error: errors.fields[name],
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setRegistered(null);
    register.mutate(form);
  }

  return (
    <form onSubmit={onSubmit} aria-label="Register an agent" className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField label="Agent name" maxLength={80} hint="e.g. Onboarding helper" {...field("name")} />
        <TextField label="Publisher" maxLength={80} {...field("publisher")} />
        <TextField
          label="Skill id"
          maxLength={80}
          autoCapitalize="none"
          spellCheck={false}
          hint="Lowercase, e.g. hr.onboarding"
          {...field("skillId")}
        />
        <TextField label="Skill name" maxLength={80} {...field("skillName")} />
        <TextField label="Skill version" maxLength={20} hint="e.g. 1.2.0" {...field("skillVersion")} />
      </div>
      <Button type="submit" pending={register.isPending}>
        Register agent
      </Button>
      <Alert>{errors.form}</Alert>
      {registered ? (
        <Alert tone="success">
          Registered {registered}. Give it a grant above before it can do anything.
        </Alert>
      ) : null}
    </form>
  );
}

"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";

const FIELDS = ["name"] as const;

export function ProfileNameForm() {
  const trpc = useTRPC();
  const profile = useQuery(trpc.profile.get.queryOptions());
  if (profile.isError) return <Alert>Could not load your profile: {profile.error.message}</Alert>;
  if (!profile.data) return <p className="text-sm text-slate-600">Loading…</p>;
  return <NameForm initialName={profile.data.name} email={profile.data.email} />;
}

function NameForm({ initialName, email }: { initialName: string; email: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(initialName);
  const update = useMutation(
    trpc.profile.update.mutationOptions({
      // The sidebar shows the name from the same query.
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.profile.get.queryKey() }),
    }),
  );
  const errors = formErrors(update.error, FIELDS);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate({ name });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4">
      <TextField
        label="Your name"
        name="name"
        autoComplete="name"
        required
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          if (update.isSuccess) update.reset();
        }}
        error={errors.fields.name}
      />
      <div>
        <p className="text-sm font-medium text-slate-800">Email</p>
        <p className="mt-1 text-sm text-slate-700">{email}</p>
      </div>
      <Alert>{errors.form}</Alert>
      {update.isSuccess ? <Alert tone="success">Your name was saved.</Alert> : null}
      <Button type="submit" pending={update.isPending}>
        Save name
      </Button>
    </form>
  );
}

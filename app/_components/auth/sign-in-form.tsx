"use client";

import { useActionState } from "react";
import { signInWithPassword, type SignInState } from "@/app/_lib/auth-actions";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";

export function SignInForm({
  callbackUrl,
  initialError,
}: {
  callbackUrl: string | null;
  initialError: string | null;
}) {
  const [state, formAction, pending] = useActionState<SignInState, FormData>(signInWithPassword, {
    error: initialError,
    email: "",
  });
  return (
    <form action={formAction} className="space-y-4">
      {callbackUrl ? <input type="hidden" name="callbackUrl" value={callbackUrl} /> : null}
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        required
        defaultValue={state.email}
        // A fresh key restores the typed email after React resets the form on a failed attempt.
        key={`email-${state.email}`}
      />
      <TextField label="Password" name="password" type="password" autoComplete="current-password" required />
      <Alert>{state.error}</Alert>
      <Button type="submit" pending={pending} className="w-full">
        Sign in
      </Button>
    </form>
  );
}

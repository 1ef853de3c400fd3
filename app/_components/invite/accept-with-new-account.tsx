"use client";

import { PASSWORD_HINT } from "@/server/auth/password-rules";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import { linkClass } from "@/app/_components/ui/styles";
import { useSignInAfterCreate } from "@/app/_lib/use-sign-in-after-create";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";

const FIELDS = ["name", "password"] as const;

/**
 * For an invited address with no account yet: accepting creates the account (the invitation proves the
 * email), then signs in with the chosen password and opens the tenant.
 */
export function AcceptWithNewAccount({ token }: { token: string }) {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const signIn = useSignInAfterCreate();
  const accept = useMutation(trpc.invite.accept.mutationOptions());
  const errors = formErrors(accept.error, FIELDS);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    signIn.reset();
    accept.mutate(
      { token, name, password },
      { onSuccess: (result) => signIn.signIn(result.email, password, `/t/${result.tenantSlug}`) },
    );
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4">
      <p className="text-sm text-slate-700">Choose your name and a password to create your Tenet account.</p>
      <TextField
        label="Your name"
        name="name"
        autoComplete="name"
        required
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={errors.fields.name}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        hint={PASSWORD_HINT}
        error={errors.fields.password}
      />
      <Alert>{errors.form}</Alert>
      {signIn.error ? (
        <Alert>
          You joined, but signing in failed: {signIn.error}{" "}
          <Link href="/sign-in" className={linkClass}>
            Sign in
          </Link>
        </Alert>
      ) : null}
      <Button type="submit" className="w-full" pending={accept.isPending || signIn.pending}>
        Accept invitation
      </Button>
    </form>
  );
}

"use client";

import { PASSWORD_HINT } from "@/server/auth/password-rules";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState, useTransition, type FormEvent } from "react";
import { signInAfterAccountCreation } from "@/app/_lib/auth-actions";
import { suggestSlug } from "@/app/_lib/slug";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import { linkClass } from "@/app/_components/ui/styles";

const FIELDS = ["name", "email", "password", "tenantName", "tenantSlug"] as const;

/** Creates the account and its tenant, then signs in with the same credentials and opens the tenant. */
export function SignUpForm() {
  const trpc = useTRPC();
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const [signingIn, startSigningIn] = useTransition();
  const [signInError, setSignInError] = useState<string | null>(null);

  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [tenantName, setTenantName] = useState("");
  // The address follows the company name until the visitor edits it themselves.
  const [slugInput, setSlugInput] = useState<string | null>(null);
  const tenantSlug = slugInput ?? suggestSlug(tenantName);

  const errors = formErrors(signUp.error, FIELDS);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSignInError(null);
    signUp.mutate(
      { name, email, password, tenantName, tenantSlug },
      {
        onSuccess: ({ tenantSlug: slug }) =>
          startSigningIn(async () => {
            // Redirects to the new tenant on success; returns only when signing in failed.
            const { error } = await signInAfterAccountCreation(email, password, `/t/${slug}`);
            setSignInError(error);
          }),
      },
    );
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4">
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
        label="Work email"
        name="email"
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={errors.fields.email}
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
      <TextField
        label="Company name"
        name="tenantName"
        autoComplete="organization"
        required
        value={tenantName}
        onChange={(e) => setTenantName(e.target.value)}
        error={errors.fields.tenantName}
      />
      <TextField
        label="Address"
        name="tenantSlug"
        required
        autoCapitalize="none"
        spellCheck={false}
        value={tenantSlug}
        onChange={(e) => setSlugInput(e.target.value)}
        hint={
          <>
            Your tenant will live at <span className="font-mono text-slate-800">/t/{tenantSlug || "…"}</span>
          </>
        }
        error={errors.fields.tenantSlug}
      />
      <Alert>{errors.form}</Alert>
      {signInError ? (
        <Alert>
          Your account was created, but signing in failed: {signInError}{" "}
          <Link href="/sign-in" className={linkClass}>
            Sign in
          </Link>
        </Alert>
      ) : null}
      <Button type="submit" pending={signUp.isPending || signingIn} className="w-full">
        Create account
      </Button>
    </form>
  );
}

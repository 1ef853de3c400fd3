"use client";

import { PASSWORD_HINT } from "@/server/auth/password-rules";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useSignInAfterCreate } from "@/app/_lib/use-sign-in-after-create";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import { linkClass } from "@/app/_components/ui/styles";
import { TenantFields, useTenantFields } from "@/app/_components/tenant/tenant-fields";

const FIELDS = ["name", "email", "password", "tenantName", "tenantSlug"] as const;

/** Creates the account and its tenant, then signs in with the same credentials and opens the tenant. */
export function SignUpForm() {
  const trpc = useTRPC();
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const signIn = useSignInAfterCreate();

  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const tenant = useTenantFields();

  const errors = formErrors(signUp.error, FIELDS);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    signIn.reset();
    signUp.mutate(
      { name, email, password, tenantName: tenant.name, tenantSlug: tenant.slug },
      { onSuccess: ({ tenantSlug }) => signIn.signIn(email, password, `/t/${tenantSlug}`) },
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
      <TenantFields
        fields={tenant}
        inputNames={{ name: "tenantName", slug: "tenantSlug" }}
        errors={{ name: errors.fields.tenantName, slug: errors.fields.tenantSlug }}
      />
      <Alert>{errors.form}</Alert>
      {signIn.error ? (
        <Alert>
          Your account was created, but signing in failed: {signIn.error}{" "}
          <Link href="/sign-in" className={linkClass}>
            Sign in
          </Link>
        </Alert>
      ) : null}
      <Button type="submit" pending={signUp.isPending || signIn.pending} className="w-full">
        Create account
      </Button>
    </form>
  );
}

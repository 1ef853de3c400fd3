"use client";

import { useState, useTransition } from "react";
import { signInAfterAccountCreation } from "./auth-actions";

/**
 * After a form creates an account (sign-up, accepting an invitation), signs in with the credentials just
 * chosen and opens `path`. On success the server action redirects; `error` is set only when signing in
 * failed, so the form can say the account exists but the sign-in did not happen.
 */
export function useSignInAfterCreate() {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return {
    pending,
    error,
    reset: () => setError(null),
    signIn: (email: string, password: string, path: string) =>
      startTransition(async () => {
        const result = await signInAfterAccountCreation(email, password, path);
        setError(result.error);
      }),
  };
}

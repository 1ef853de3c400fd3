"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { OIDC_PROVIDER_ID, signIn, signOut } from "@/server/auth/config";
import { safeCallbackUrl } from "./safe-redirect";

/**
 * Server actions for signing in and out. Auth.js signals success by throwing Next.js's redirect, so
 * only Auth.js's own errors are caught here; everything else (the redirect included) is rethrown.
 */

export type SignInState = { error: string | null; email: string };

const LOCKED_PREFIX = "locked:";

function messageForSignInError(error: AuthError): string {
  if (error instanceof CredentialsSignin) {
    // The server puts the lockout message after "locked:"; "invalid" means a wrong email or password.
    if (error.code.startsWith(LOCKED_PREFIX)) return error.code.slice(LOCKED_PREFIX.length);
    return "Email or password is incorrect.";
  }
  return "Signing in failed. Try again in a moment.";
}

function text(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
}

async function signInWithCredentials(
  email: string,
  password: string,
  redirectTo: string,
): Promise<string | null> {
  try {
    await signIn("credentials", { email, password, redirectTo });
  } catch (error) {
    if (error instanceof AuthError) return messageForSignInError(error);
    throw error;
  }
  return null;
}

/** The sign-in form's action (for `useActionState`). */
export async function signInWithPassword(_previous: SignInState, formData: FormData): Promise<SignInState> {
  const email = text(formData, "email");
  const redirectTo = safeCallbackUrl(formData.get("callbackUrl")) ?? "/";
  const error = await signInWithCredentials(email, text(formData, "password"), redirectTo);
  return { error, email };
}

/**
 * Signs in with credentials the visitor has just chosen (after sign-up or accepting an invitation), then
 * goes to `redirectTo`. Returns an error message when signing in fails.
 */
export async function signInAfterAccountCreation(
  email: string,
  password: string,
  redirectTo: string,
): Promise<{ error: string }> {
  const error = await signInWithCredentials(email, password, safeCallbackUrl(redirectTo) ?? "/");
  return { error: error ?? "Signing in failed. Try again from the sign-in page." };
}

/** The single sign-on button's action; the provider's page comes next. */
export async function signInWithSso(formData: FormData): Promise<void> {
  const redirectTo = safeCallbackUrl(formData.get("callbackUrl")) ?? "/";
  await signIn(OIDC_PROVIDER_ID, { redirectTo });
}

/** Ends the session (the server deletes its row, so the cookie stops working) and goes to sign-in. */
export async function signOutAction(formData: FormData): Promise<void> {
  const callbackUrl = safeCallbackUrl(formData.get("callbackUrl"));
  await signOut({
    redirectTo: callbackUrl ? `/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}` : "/sign-in",
  });
}

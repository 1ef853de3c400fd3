import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { AuthShell } from "@/app/_components/auth-shell";
import { SignInForm } from "@/app/_components/auth/sign-in-form";
import { SsoButton } from "@/app/_components/auth/sso-button";
import { linkClass } from "@/app/_components/ui/styles";
import { safeCallbackUrl } from "@/app/_lib/safe-redirect";
import { firstParam, type SearchParams } from "@/app/_lib/search-params";
import { oidcEnabled } from "@/server/auth/config";
import { currentUser } from "@/server/auth/current";
import { env } from "@/server/env.js";

export const metadata: Metadata = { title: "Sign in" };

/**
 * Auth.js sends failed provider sign-ins back here with `?error=<type>`. Only known types get a message;
 * nothing from the URL is shown verbatim, so a crafted link cannot put its own text on this page.
 */
const AUTH_ERRORS: Record<string, string> = {
  CredentialsSignin: "Email or password is incorrect.",
  // Our sign-in callback refuses single sign-on identities without a verified email address.
  AccessDenied:
    "Your identity provider did not confirm your email address, so Tenet cannot sign you in with it.",
  OAuthAccountNotLinked: "This email is already used by another sign-in method. Sign in with your password.",
  Verification: "That sign-in link is no longer valid.",
};
const GENERIC_AUTH_ERROR = "Signing in failed. Try again.";

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(firstParam(params.callbackUrl));
  if (await currentUser()) redirect(callbackUrl ?? "/");

  const errorType = firstParam(params.error);
  const initialError = errorType ? (AUTH_ERRORS[errorType] ?? GENERIC_AUTH_ERROR) : null;

  return (
    <AuthShell
      title="Sign in"
      description="Welcome back. Sign in to your Tenet account."
      footer={
        <>
          New to Tenet?{" "}
          <Link href="/sign-up" className={linkClass}>
            Create an account
          </Link>
        </>
      }
    >
      <SignInForm callbackUrl={callbackUrl} initialError={initialError} />
      {oidcEnabled ? (
        <>
          <div className="my-6 flex items-center gap-3 text-xs text-slate-600" aria-hidden="true">
            <span className="h-px flex-1 bg-slate-200" />
            or
            <span className="h-px flex-1 bg-slate-200" />
          </div>
          <SsoButton providerName={env.OIDC_DISPLAY_NAME} callbackUrl={callbackUrl} />
        </>
      ) : null}
    </AuthShell>
  );
}

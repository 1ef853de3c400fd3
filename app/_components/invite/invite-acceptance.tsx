"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Alert } from "@/app/_components/ui/alert";
import { buttonClasses } from "@/app/_components/ui/button";
import { linkClass } from "@/app/_components/ui/styles";
import { SignOutButton } from "@/app/_components/auth/sign-out-button";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import { AcceptAsMember } from "./accept-as-member";
import { AcceptWithNewAccount } from "./accept-with-new-account";
import { InviteHeading } from "./invite-heading";

const CLOSED_REASONS = {
  accepted: "This invitation has already been used.",
  revoked: "This invitation was withdrawn.",
  expired: "This invitation has expired. Ask the person who invited you for a new one.",
} as const;

/**
 * What an invitation link offers and the one way forward that fits the visitor: accept (signed in as
 * the invited address), create an account (no account yet), sign in first (account exists), or sign
 * out (signed in as someone else).
 */
export function InviteAcceptance({ token, signedIn }: { token: string; signedIn: boolean }) {
  const trpc = useTRPC();
  const preview = useQuery(trpc.invite.preview.queryOptions({ token }));
  const me = useQuery({ ...trpc.profile.get.queryOptions(), enabled: signedIn });
  const invitePath = `/invite/${token}`;

  if (preview.isError) {
    return (
      <>
        <InviteHeading title="Invitation not valid" />
        <Alert>{formErrors(preview.error, ["token"]).fields.token ?? preview.error.message}</Alert>
        <HomeLink />
      </>
    );
  }
  if (!preview.data || (signedIn && me.isPending)) {
    return <p className="text-sm text-slate-600">Loading the invitation…</p>;
  }

  const invite = preview.data;
  const heading = (
    <InviteHeading title={`Join ${invite.tenantName} as ${invite.role}`}>
      This invitation is for <span className="font-medium text-slate-900">{invite.email}</span>.
    </InviteHeading>
  );

  if (invite.status !== "pending") {
    return (
      <>
        {heading}
        <Alert>{CLOSED_REASONS[invite.status]}</Alert>
        <HomeLink />
      </>
    );
  }

  if (signedIn) {
    if (me.isError)
      return (
        <>
          {heading}
          <Alert>Could not check who is signed in: {me.error.message}</Alert>
        </>
      );
    const signedInEmail = me.data?.email ?? "";
    if (signedInEmail.toLowerCase() === invite.email.toLowerCase()) {
      return (
        <>
          {heading}
          <AcceptAsMember token={token} />
        </>
      );
    }
    return (
      <>
        {heading}
        <div className="space-y-4">
          <Alert>
            You are signed in as {signedInEmail}. Sign out, then sign in as {invite.email} to accept this
            invitation.
          </Alert>
          <SignOutButton callbackUrl={invitePath} />
        </div>
      </>
    );
  }

  if (invite.accountExists) {
    return (
      <>
        {heading}
        <p className="text-sm text-slate-700">
          You already have a Tenet account. Sign in to accept the invitation.
        </p>
        <p className="mt-6">
          <Link
            href={`/sign-in?callbackUrl=${encodeURIComponent(invitePath)}`}
            className={`${buttonClasses()} w-full`}
          >
            Sign in to accept
          </Link>
        </p>
      </>
    );
  }

  return (
    <>
      {heading}
      <AcceptWithNewAccount token={token} />
    </>
  );
}

function HomeLink() {
  return (
    <p className="mt-6 text-sm">
      <Link href="/" className={linkClass}>
        Go to Tenet
      </Link>
    </p>
  );
}

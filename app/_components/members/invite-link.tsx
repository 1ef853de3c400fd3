"use client";

import { Alert } from "@/app/_components/ui/alert";
import { CopyField } from "@/app/_components/ui/copy-field";
import type { CreatedInvite } from "@/app/_lib/trpc-types";

/** The link of an invitation just created, to copy and send, and whether it was emailed. */
export function InviteLink({ invite }: { invite: CreatedInvite }) {
  return (
    <div className="space-y-3 rounded-md border border-indigo-200 bg-indigo-50/50 p-4">
      <Alert tone="success">
        {invite.emailed
          ? `We emailed this link to ${invite.email}.`
          : `Email is not set up, so nothing was sent: copy this link and send it to ${invite.email} yourself.`}{" "}
        It works once, for {invite.email} as {invite.role}.
      </Alert>
      <CopyField label="Invitation link" name="inviteUrl" value={invite.url} what="link" />
    </div>
  );
}

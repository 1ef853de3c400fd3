"use client";

import { useRef, useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import type { CreatedInvite } from "@/app/_lib/trpc-types";

/** The link of an invitation just created, to copy and send, and whether it was emailed. */
export function InviteLink({ invite }: { invite: CreatedInvite }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(invite.url);
      setCopied("yes");
    } catch {
      // Clipboard access can be refused (insecure origin, permissions): select the text instead.
      inputRef.current?.select();
      setCopied("failed");
    }
  }

  return (
    <div className="space-y-3 rounded-md border border-indigo-200 bg-indigo-50/50 p-4">
      <Alert tone="success">
        {invite.emailed
          ? `We emailed this link to ${invite.email}.`
          : `Email is not set up, so nothing was sent: copy this link and send it to ${invite.email} yourself.`}{" "}
        It works once, for {invite.email} as {invite.role}.
      </Alert>
      <div className="flex items-end gap-2">
        <TextField
          ref={inputRef}
          label="Invitation link"
          name="inviteUrl"
          readOnly
          value={invite.url}
          onFocus={(e) => e.currentTarget.select()}
          className="flex-1"
        />
        <Button variant="secondary" onClick={() => void copy()}>
          {copied === "yes" ? "Copied" : "Copy link"}
        </Button>
      </div>
      <p aria-live="polite" className="text-xs text-slate-600">
        {copied === "yes" ? "The link is on your clipboard." : null}
        {copied === "failed"
          ? "Copying was blocked by the browser; the link is selected, press Ctrl+C (⌘C) to copy it."
          : null}
      </p>
    </div>
  );
}

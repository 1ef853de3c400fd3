"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextAreaField } from "@/app/_components/ui/field";
import { linkClass } from "@/app/_components/ui/styles";
import { confirmLinkDecision, type ConfirmState } from "./actions";

const initial: ConfirmState = { state: "idle", error: null };

/** The confirm button (with the deny comment when the rule asks for one) and the outcome. */
export function LinkConfirmation({
  token,
  decision,
  commentRequired,
  requestHref,
}: {
  token: string;
  decision: "approve" | "deny";
  commentRequired: boolean;
  requestHref: string;
}) {
  const [result, confirm, pending] = useActionState(confirmLinkDecision, initial);
  const [commentError, setCommentError] = useState<string | null>(null);

  if (result.state === "done") {
    return (
      <div className="space-y-3">
        <Alert tone="success">{result.decision === "approve" ? "Approved." : "Denied."}</Alert>
        <Link href={requestHref} className={linkClass}>
          See the request
        </Link>
      </div>
    );
  }

  return (
    <form
      action={confirm}
      aria-label="Confirm your decision"
      className="space-y-4"
      onSubmit={(event) => {
        // Checked here first: the link is used up by the attempt, so a refused deny would waste it.
        const comment = new FormData(event.currentTarget).get("comment");
        if (commentRequired && (typeof comment !== "string" || comment.trim() === "")) {
          event.preventDefault();
          setCommentError("Say why you deny it: a comment is required.");
        } else {
          setCommentError(null);
        }
      }}
    >
      <input type="hidden" name="token" value={token} />
      <input type="hidden" name="decision" value={decision} />
      {decision === "deny" ? (
        <TextAreaField
          label={commentRequired ? "Comment (required)" : "Comment (optional)"}
          name="comment"
          rows={3}
          error={commentError ?? undefined}
        />
      ) : null}
      <Alert>{result.error}</Alert>
      <Button type="submit" variant={decision === "approve" ? "primary" : "danger"} disabled={pending}>
        {decision === "approve" ? "Confirm approval" : "Confirm denial"}
      </Button>
    </form>
  );
}

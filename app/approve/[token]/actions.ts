"use server";

import { z } from "zod";
import { currentUser } from "@/server/auth/current";
import { getDb } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { decideByLink } from "@/server/requests/approvals";
import { inngest } from "@/server/workflows/client";

export type ConfirmState =
  | { state: "idle"; error: null }
  | { state: "error"; error: string }
  | { state: "done"; decision: "approve" | "deny"; requestId: string; error: null };

const confirmInput = z.object({
  token: z.string().min(1).max(200),
  decision: z.enum(["approve", "deny"]),
  comment: z.string().trim().max(2000).optional(),
});

/**
 * Uses a mailed approval link, only when its confirmation page's button is pressed (never on GET: mail
 * scanners open links). The decision is the link's own; `decision` here only words the outcome.
 */
export async function confirmLinkDecision(
  _previous: ConfirmState,
  formData: FormData,
): Promise<ConfirmState> {
  const user = await currentUser();
  if (!user) return { state: "error", error: "Sign in again to decide." };
  const parsed = confirmInput.safeParse({
    token: formData.get("token"),
    decision: formData.get("decision"),
    comment: formData.get("comment") ?? undefined,
  });
  if (!parsed.success) return { state: "error", error: "This link is not valid." };
  const { token, decision, comment } = parsed.data;
  try {
    const result = await decideByLink(
      getDb(),
      { send: (event) => inngest.send(event) },
      token,
      user.userId,
      comment ? comment : undefined,
    );
    return { state: "done", decision, requestId: result.requestId, error: null };
  } catch (error) {
    if (error instanceof AppError) return { state: "error", error: error.message };
    throw error;
  }
}

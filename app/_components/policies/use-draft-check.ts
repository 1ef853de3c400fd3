"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/app/_lib/trpc";
import type { PolicyCheck, PolicyOutline } from "@/app/_lib/trpc-types";

/** How long typing must pause before the draft is checked: one request per pause, not per key. */
const CHECK_DELAY_MS = 400;

export type DraftCheckState =
  { status: "checking" } | { status: "failed"; message: string } | { status: "checked"; result: PolicyCheck };

/**
 * Checks `text` on the server whenever typing pauses. Only the answer for the text now in the editor
 * counts: a reply to an earlier draft is ignored (react-query reports only the latest `mutate`). The
 * outline is the policies of the last draft that checked clean, so it does not vanish while typing.
 */
export function useDraftCheck(text: string, initialOutline: readonly PolicyOutline[]) {
  const trpc = useTRPC();
  const check = useMutation(trpc.policy.check.mutationOptions());
  const [outline, setOutline] = useState(initialOutline);
  const { mutate } = check;

  useEffect(() => {
    const timer = setTimeout(
      () =>
        mutate(
          { text },
          {
            onSuccess: (result) => {
              if (result.ok) setOutline(result.policies);
            },
          },
        ),
      CHECK_DELAY_MS,
    );
    return () => clearTimeout(timer);
  }, [text, mutate]);

  const forThisText = check.variables?.text === text;
  const state: DraftCheckState =
    !forThisText || check.isPending || check.isIdle
      ? { status: "checking" }
      : check.isError
        ? { status: "failed", message: check.error.message }
        : check.data
          ? { status: "checked", result: check.data }
          : { status: "checking" };
  return { state, outline };
}

"use client";

import Link from "next/link";
import { useState } from "react";
import { focusRing, linkClass } from "@/app/_components/ui/styles";
import type { WhatIfAnswer } from "@/app/_lib/trpc-types";
import { DEFAULT_DENY } from "@/server/kernel/access/decide";
import { GRANT_POLICY_PREFIX } from "@/server/kernel/access/schema";
import { approverList } from "./approvers";

const TONES = {
  allow: "border-emerald-200 bg-emerald-50 text-emerald-950",
  deny: "border-red-200 bg-red-50 text-red-950",
  "require-approval": "border-amber-200 bg-amber-50 text-amber-950",
} as const;

function headline(answer: WhatIfAnswer): string {
  switch (answer.decision) {
    case "allow":
      return "Allowed";
    case "deny":
      return "Denied";
    case "require-approval":
      return `Needs approval from ${approverList(answer.approvers)}`;
  }
}

/**
 * The answer to a what-if test: the decision, the policies that decided it (each selects that policy in
 * the editor) and, for some denials, why.
 */
export function WhatIfResult({
  answer,
  question,
  grantsHref,
  onShowPolicy,
}: {
  answer: WhatIfAnswer;
  grantsHref: string;
  /** What was asked, in words, since the form may have changed since. */
  question: string;
  /** Selects the policy in the editor; false when the editor's text has no policy with that id. */
  onShowPolicy: (id: string) => boolean;
}) {
  const [missing, setMissing] = useState<string | null>(null);
  const policies = answer.reasons.filter((r) => r !== DEFAULT_DENY && !r.startsWith(GRANT_POLICY_PREFIX));
  const grants = answer.reasons.filter((r) => r.startsWith(GRANT_POLICY_PREFIX)).length;
  return (
    <section
      aria-label="What-if result"
      aria-live="polite"
      className={`space-y-2 rounded-md border px-4 py-3 text-sm ${TONES[answer.decision]}`}
    >
      <p className="text-base font-semibold">{headline(answer)}</p>
      <p>
        {question}, tested against{" "}
        {answer.policiesVersion === "draft" ? "your unsaved draft" : `version ${answer.policiesVersion}`}. The
        action&apos;s effect is {answer.effect}.
      </p>
      {answer.reasons.includes(DEFAULT_DENY) ? <p>No policy permits it ({DEFAULT_DENY}).</p> : null}
      {policies.length > 0 ? (
        <div className="flex flex-wrap items-center gap-2">
          <span>{policies.length === 1 ? "Decided by policy" : "Decided by policies"}</span>
          <ul aria-label="Deciding policies" className="flex flex-wrap gap-2">
            {policies.map((id) => (
              <li key={id}>
                <button
                  type="button"
                  onClick={() => setMissing(onShowPolicy(id) ? null : id)}
                  title="Show it in the editor"
                  className={`rounded-md border border-current/30 bg-white px-2 py-0.5 font-mono text-xs hover:underline ${focusRing}`}
                >
                  {id}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {grants > 0 ? (
        <p>
          Allowed by {grants === 1 ? "a grant" : `${grants} grants`} to the agent: see{" "}
          <Link href={grantsHref} className={linkClass}>
            Grants
          </Link>
          .
        </p>
      ) : null}
      {answer.decision === "deny" && answer.explanation ? <p>{answer.explanation}</p> : null}
      {missing ? (
        <p className="text-xs">The editor&apos;s text has no policy with the id {missing}.</p>
      ) : null}
    </section>
  );
}

"use client";

import { focusRing } from "@/app/_components/ui/styles";
import type { PolicyOutline as Policy } from "@/app/_lib/trpc-types";
import { approverLabel } from "./approvers";

/** Each policy of the draft by id: permit or forbid, and the approval its gate waits for. */
export function PolicyOutline({
  policies,
  highlighted,
  onShow,
}: {
  policies: readonly Policy[];
  highlighted: string | null;
  onShow: (id: string) => void;
}) {
  if (policies.length === 0) return <p className="text-sm text-slate-600">The draft has no policies.</p>;
  return (
    <ol
      aria-label="Policies in the draft"
      className="divide-y divide-slate-200 rounded-md border border-slate-200"
    >
      {policies.map((policy) => (
        <li
          key={policy.id}
          className={`flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 ${
            highlighted === policy.id ? "bg-indigo-50" : ""
          }`}
        >
          <EffectBadge effect={policy.effect} />
          <button
            type="button"
            onClick={() => onShow(policy.id)}
            title="Show it in the editor"
            className={`rounded-sm font-mono text-sm text-indigo-700 hover:underline ${focusRing}`}
          >
            {policy.id}
          </button>
          {policy.approval ? (
            <span className="text-xs text-amber-900">
              Approval gate: needs {approverLabel(policy.approval)}
            </span>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

function EffectBadge({ effect }: { effect: Policy["effect"] }) {
  const tone =
    effect === "permit"
      ? "bg-emerald-50 text-emerald-900 ring-emerald-200"
      : "bg-red-50 text-red-800 ring-red-200";
  return (
    <span
      className={`inline-flex w-16 justify-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${tone}`}
    >
      {effect === "permit" ? "Permit" : "Forbid"}
    </span>
  );
}

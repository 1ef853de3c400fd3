import type { AuditEntrySummary } from "@/app/_lib/trpc-types";

type Outcome = AuditEntrySummary["outcome"];

const TONES: Record<Outcome, string> = {
  allowed: "bg-emerald-50 text-emerald-900 ring-emerald-200",
  approved: "bg-emerald-50 text-emerald-900 ring-emerald-200",
  succeeded: "bg-emerald-50 text-emerald-900 ring-emerald-200",
  approval_required: "bg-amber-50 text-amber-900 ring-amber-200",
  conflict: "bg-amber-50 text-amber-900 ring-amber-200",
  denied: "bg-red-50 text-red-800 ring-red-200",
  rejected: "bg-red-50 text-red-800 ring-red-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
  recorded: "bg-slate-100 text-slate-800 ring-slate-300",
};

export const OUTCOME_LABELS: Record<Outcome, string> = {
  allowed: "Allowed",
  approved: "Approved",
  succeeded: "Succeeded",
  approval_required: "Needs approval",
  conflict: "Conflict",
  denied: "Denied",
  rejected: "Rejected",
  failed: "Failed",
  recorded: "Recorded",
};

/** An entry's outcome, in words and colour (the words carry the meaning; colour only repeats it). */
export function OutcomeBadge({ outcome }: { outcome: Outcome }) {
  return (
    <span
      className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${TONES[outcome]}`}
    >
      {OUTCOME_LABELS[outcome]}
    </span>
  );
}

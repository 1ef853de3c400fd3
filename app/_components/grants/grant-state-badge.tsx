import type { Grant } from "@/app/_lib/trpc-types";

const STATES: Record<Grant["state"], { label: string; tone: string }> = {
  active: { label: "Active", tone: "bg-emerald-50 text-emerald-900 ring-emerald-200" },
  expired: { label: "Expired", tone: "bg-slate-100 text-slate-800 ring-slate-300" },
  revoked: { label: "Revoked", tone: "bg-red-50 text-red-800 ring-red-200" },
};

/** A grant's state in words and colour (the words carry the meaning; colour only repeats it). */
export function GrantStateBadge({ state }: { state: Grant["state"] }) {
  return (
    <span
      className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${STATES[state].tone}`}
    >
      {STATES[state].label}
    </span>
  );
}

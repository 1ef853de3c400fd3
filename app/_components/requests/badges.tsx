import type { RequestPlanItem, RequestSummary, RequestTask } from "@/app/_lib/trpc-types";
import { STATUS_WORDS, type RequestStatus } from "@/server/requests/types";

export const badge =
  "inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset";

const neutral = "bg-slate-100 text-slate-800 ring-slate-300";
const busy = "bg-sky-50 text-sky-900 ring-sky-200";
const waiting = "bg-amber-50 text-amber-900 ring-amber-200";
const good = "bg-emerald-50 text-emerald-900 ring-emerald-200";
const bad = "bg-red-50 text-red-800 ring-red-200";

const STATUS_TONES: Record<RequestStatus, string> = {
  submitted: neutral,
  planning: busy,
  waiting,
  running: busy,
  done: good,
  rejected: bad,
  failed: bad,
  cancelled: neutral,
};

/** A request's status in words and colour (the words carry the meaning; colour only repeats it). */
export function RequestStatusBadge({ status }: { status: RequestSummary["status"] }) {
  return <span className={`${badge} ${STATUS_TONES[status]}`}>{STATUS_WORDS[status]}</span>;
}

const TASK_WORDS: Record<RequestTask["status"], [string, string]> = {
  open: ["Open", waiting],
  approved: ["Approved", good],
  rejected: ["Denied", bad],
  expired: ["Expired", neutral],
  cancelled: ["Cancelled", neutral],
};

export function TaskStatusBadge({ status }: { status: RequestTask["status"] }) {
  const [words, tone] = TASK_WORDS[status];
  return <span className={`${badge} ${tone}`}>{words}</span>;
}

const EFFECT_TONES: Record<RequestPlanItem["effect"], string> = {
  read: neutral,
  write: waiting,
  destructive: bad,
};

export function EffectBadge({ effect }: { effect: RequestPlanItem["effect"] }) {
  return <span className={`${badge} ${EFFECT_TONES[effect]}`}>{effect}</span>;
}

export function ReversibleBadge({ reversible }: { reversible: boolean }) {
  return (
    <span className={`${badge} ${reversible ? neutral : bad}`}>
      {reversible ? "reversible" : "not reversible"}
    </span>
  );
}

const DECISION_WORDS: Record<string, [string, string]> = {
  allow: ["Kernel: allowed", good],
  deny: ["Kernel: denied", bad],
  "require-approval": ["Kernel: needs approval", waiting],
};

/** The kernel's decision on a plan step's dry run. */
export function KernelDecisionBadge({ decision }: { decision: string }) {
  const [words, tone] = DECISION_WORDS[decision] ?? [`Kernel: ${decision.replaceAll(/[_-]/g, " ")}`, neutral];
  return <span className={`${badge} ${tone}`}>{words}</span>;
}

import type { ConnectionStatus, ConnectorAction } from "@/app/_lib/trpc-types";
import { STATUS_LABELS } from "./connector-view";

const badge =
  "inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset";

const EFFECT_TONES: Record<ConnectorAction["effect"], string> = {
  read: "bg-sky-50 text-sky-900 ring-sky-200",
  write: "bg-amber-50 text-amber-900 ring-amber-200",
  destructive: "bg-red-50 text-red-800 ring-red-200",
};

const STATUS_TONES: Record<ConnectionStatus, string> = {
  untested: "bg-slate-100 text-slate-800 ring-slate-300",
  working: "bg-emerald-50 text-emerald-900 ring-emerald-200",
  failing: "bg-red-50 text-red-800 ring-red-200",
};

/** What an action does to the world, in words and colour (the words carry the meaning). */
export function EffectBadge({ effect }: { effect: ConnectorAction["effect"] }) {
  return <span className={`${badge} ${EFFECT_TONES[effect]}`}>{effect}</span>;
}

export function ConnectionStatusBadge({ status }: { status: ConnectionStatus }) {
  return <span className={`${badge} ${STATUS_TONES[status]}`}>{STATUS_LABELS[status]}</span>;
}

export function PlainBadge({ children }: { children: string }) {
  return <span className={`${badge} bg-slate-100 text-slate-800 ring-slate-300`}>{children}</span>;
}

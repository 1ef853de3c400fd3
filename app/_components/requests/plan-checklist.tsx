import type { RequestPlanItem } from "@/app/_lib/trpc-types";
import { EffectBadge, KernelDecisionBadge, ReversibleBadge } from "./badges";

/**
 * What a request will do, one line per connector action: "Create account for bob@… in Figma (write,
 * reversible)", with the kernel's decision on its dry run and why. `done` ticks the lines once the
 * request has been carried out.
 */
export function PlanChecklist({ plan, done = false }: { plan: readonly RequestPlanItem[]; done?: boolean }) {
  if (plan.length === 0)
    return <p className="text-sm text-slate-600">No plan yet: it is made once the request is checked.</p>;
  return (
    <ul className="space-y-3" aria-label="Plan">
      {plan.map((item) => (
        <li key={item.key} className="flex gap-3">
          <span
            aria-hidden="true"
            className={`mt-0.5 text-sm ${done ? "text-emerald-700" : "text-slate-400"}`}
          >
            {done ? "✔" : "☐"}
          </span>
          <div className="min-w-0 space-y-1">
            <p className="text-sm text-slate-900">
              {item.description}{" "}
              <span className="text-slate-600">
                ({item.effect}, {item.reversible ? "reversible" : "not reversible"})
              </span>
              {done ? <span className="sr-only"> (done)</span> : null}
            </p>
            <div className="flex flex-wrap items-center gap-1.5">
              <EffectBadge effect={item.effect} />
              <ReversibleBadge reversible={item.reversible} />
              <KernelDecisionBadge decision={item.decision} />
              <span className="font-mono text-xs text-slate-600">{item.action}</span>
            </div>
            {item.reasons.length > 0 ? (
              <p className="text-xs text-slate-600">Because: {item.reasons.join(", ")}</p>
            ) : null}
            {item.changes.length > 0 ? (
              <ul className="list-disc pl-5 text-xs text-slate-700">
                {item.changes.map((c, i) => (
                  <li key={i}>{c.summary}</li>
                ))}
              </ul>
            ) : null}
            {item.warnings.map((w, i) => (
              <p key={i} className="text-xs font-medium text-amber-800">
                ⚠ {w}
              </p>
            ))}
          </div>
        </li>
      ))}
    </ul>
  );
}

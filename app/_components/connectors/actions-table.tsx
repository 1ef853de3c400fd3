import type { ConnectorAction } from "@/app/_lib/trpc-types";
import { EffectBadge } from "./badges";
import { formatMs } from "./connector-view";

const headerClass = "px-3 py-2 text-left text-xs font-semibold text-slate-700 uppercase";
const cellClass = "px-3 py-2 text-sm text-slate-800 align-top";

/** A connector's actions: what each does, its effect, whether it can be undone, the scopes it needs. */
export function ActionsTable({
  connectorName,
  actions,
}: {
  connectorName: string;
  actions: readonly ConnectorAction[];
}) {
  if (actions.length === 0) return <p className="text-sm text-slate-600">This connector has no actions.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200">
      <table className="min-w-full divide-y divide-slate-200">
        <caption className="sr-only">Actions of {connectorName}</caption>
        <thead className="bg-slate-50">
          <tr>
            <th scope="col" className={headerClass}>
              Action
            </th>
            <th scope="col" className={headerClass}>
              Effect
            </th>
            <th scope="col" className={headerClass}>
              Reversible
            </th>
            <th scope="col" className={headerClass}>
              Scopes
            </th>
            <th scope="col" className={headerClass}>
              Limits
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 bg-white">
          {actions.map((action) => (
            <tr key={action.action}>
              <th scope="row" className="px-3 py-2 text-left align-top text-sm font-normal text-slate-800">
                <span className="block font-medium text-slate-900">{action.title}</span>
                {/* The kernel's words for the action, when they say more than the title. */}
                {action.description.toLowerCase() !== action.title.toLowerCase() ? (
                  <span className="block text-slate-700">
                    {action.description.charAt(0).toUpperCase()}
                    {action.description.slice(1)}
                  </span>
                ) : null}
                <code className="mt-0.5 block text-xs text-slate-600">{action.action}</code>
              </th>
              <td className={cellClass}>
                <EffectBadge effect={action.effect} />
              </td>
              <td className={cellClass}>
                {action.compensation ? (
                  <>
                    Yes
                    <span className="block text-xs text-slate-600">
                      undone by {action.compensation.title ?? action.compensation.action}
                    </span>
                  </>
                ) : (
                  "No"
                )}
              </td>
              <td className={cellClass}>
                {action.scopes.length === 0 ? (
                  <span className="text-slate-600">None</span>
                ) : (
                  <ul className="flex flex-wrap gap-1" aria-label={`Scopes of ${action.title}`}>
                    {action.scopes.map((scope) => (
                      <li key={scope}>
                        <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-800">
                          {scope}
                        </code>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td className={`${cellClass} whitespace-nowrap tabular-nums`}>
                <span className="block">Time limit {formatMs(action.timeoutMs)}</span>
                {action.maxParallel !== null ? (
                  <span className="block text-xs text-slate-600">at most {action.maxParallel} at once</span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

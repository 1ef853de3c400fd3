"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert } from "@/app/_components/ui/alert";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { ConnectorCall } from "@/app/_lib/trpc-types";
import { formatMs } from "./connector-view";

const headerClass = "px-3 py-2 text-left text-xs font-semibold text-slate-700 uppercase";
const cellClass = "px-3 py-2 text-sm text-slate-800 align-top";

const OUTCOME_TONES: Partial<Record<ConnectorCall["outcome"], string>> = {
  succeeded: "bg-emerald-50 text-emerald-900 ring-emerald-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
  conflict: "bg-amber-50 text-amber-900 ring-amber-200",
};

const RECENT = 20;

/** The tenant's latest calls through the connector, from the audit log, refreshed every few seconds. */
export function RecentCalls({
  connectorId,
  connectorName,
  withConnections,
}: {
  connectorId: string;
  connectorName: string;
  /** Whether the connector takes connections: each call then says which one it went through. */
  withConnections: boolean;
}) {
  const trpc = useTRPC();
  const calls = useQuery({
    ...trpc.connector.recentCalls.queryOptions({ connectorId, limit: RECENT }),
    refetchInterval: 10_000,
  });
  const connections = useQuery({
    ...trpc.connector.connections.queryOptions({ connectorId }),
    enabled: withConnections,
  });
  const connectionName = (id: string) =>
    connections.data?.find((c) => c.id === id)?.name ?? (connections.data ? "a deleted connection" : null);
  if (calls.isError && !calls.data)
    return <Alert>Could not load the recent calls: {calls.error.message}</Alert>;
  if (!calls.data) return <p className="text-sm text-slate-600">Loading the recent calls…</p>;
  if (calls.data.calls.length === 0)
    return <p className="text-sm text-slate-600">No agent or workflow has called {connectorName} yet.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200">
      <table className="min-w-full divide-y divide-slate-200">
        <caption className="sr-only">Recent calls through {connectorName}, newest first</caption>
        <thead className="bg-slate-50">
          <tr>
            <th scope="col" className={headerClass}>
              When
            </th>
            <th scope="col" className={headerClass}>
              Who
            </th>
            <th scope="col" className={headerClass}>
              Action
            </th>
            <th scope="col" className={headerClass}>
              Outcome
            </th>
            <th scope="col" className={headerClass}>
              What happened
            </th>
            <th scope="col" className={`${headerClass} text-right`}>
              Duration
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 bg-white">
          {calls.data.calls.map((call) => (
            <tr key={call.seq}>
              <td className={`${cellClass} whitespace-nowrap`}>
                <time dateTime={call.at.toISOString()}>{formatDateTime(call.at)}</time>
              </td>
              <td className={cellClass}>
                {call.actor.type === "agent" ? `Agent ${call.actor.label}` : call.actor.label}
                {call.onBehalfOf ? (
                  <span className="block text-xs text-slate-600">for {call.onBehalfOf}</span>
                ) : null}
              </td>
              <td className={cellClass}>
                {call.title ?? <span className="text-slate-600">Unknown action</span>}
              </td>
              <td className={cellClass}>
                <span
                  className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${OUTCOME_TONES[call.outcome] ?? "bg-slate-100 text-slate-800 ring-slate-300"}`}
                >
                  {call.outcome}
                </span>
              </td>
              <td className={cellClass}>
                {call.description}
                {call.connectionId && connectionName(call.connectionId) ? (
                  <span className="block text-xs text-slate-600">
                    via {connectionName(call.connectionId)}
                  </span>
                ) : null}
                {call.error ? <span className="block text-xs text-red-800">{call.error}</span> : null}
              </td>
              <td className={`${cellClass} text-right whitespace-nowrap tabular-nums`}>
                {call.durationMs === null ? "—" : formatMs(call.durationMs)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

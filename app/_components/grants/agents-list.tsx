"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { formatDate } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";

type Notice = { tone: "error" | "success"; text: string } | null;

/**
 * The tenant's agents with their skill and how many grants they hold. Disabling an agent refuses all its
 * requests at once (its grants stay, and count again once it is enabled).
 */
export function AgentsList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const agents = useQuery(trpc.agent.list.queryOptions());
  const [notice, setNotice] = useState<Notice>(null);
  const setDisabled = useMutation(
    trpc.agent.setDisabled.mutationOptions({
      onSuccess: async (result, input) => {
        const name = agents.data?.find((a) => a.id === input.agentId)?.name ?? "The agent";
        setNotice({ tone: "success", text: `${name} is ${result.disabled ? "disabled" : "enabled"}.` });
        await queryClient.invalidateQueries({ queryKey: trpc.agent.list.queryKey() });
      },
      onError: (error) => setNotice({ tone: "error", text: `Could not change the agent: ${error.message}` }),
    }),
  );

  if (agents.isError) return <Alert>Could not load the agents: {agents.error.message}</Alert>;
  if (!agents.data) return <p className="text-sm text-slate-600">Loading agents…</p>;
  return (
    <div className="space-y-3">
      {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
      {agents.data.length === 0 ? (
        <p className="text-sm text-slate-600">No agents are registered.</p>
      ) : (
        <ul aria-label="Agents" className="divide-y divide-slate-200 rounded-md border border-slate-200">
          {agents.data.map((agent) => (
            <li key={agent.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3">
              <div className="min-w-0">
                <p className="flex items-center gap-2 text-sm font-medium text-slate-900">
                  {agent.name}
                  {agent.disabled ? (
                    <span className="rounded-full bg-red-50 px-2 py-0.5 text-xs font-medium text-red-800 ring-1 ring-red-200 ring-inset">
                      Disabled
                    </span>
                  ) : null}
                </p>
                <p className="mt-0.5 text-xs text-slate-600">
                  {agent.skill.name} {agent.skill.version} by {agent.skill.publisher} ({agent.skill.id}) ·{" "}
                  {agent.activeGrants} active {agent.activeGrants === 1 ? "grant" : "grants"} · registered{" "}
                  {formatDate(agent.createdAt)}
                </p>
              </div>
              <Button
                variant={agent.disabled ? "secondary" : "danger"}
                size="sm"
                pending={setDisabled.isPending && setDisabled.variables.agentId === agent.id}
                onClick={() => {
                  setNotice(null);
                  setDisabled.mutate({ agentId: agent.id, disabled: !agent.disabled });
                }}
              >
                {agent.disabled ? "Enable" : "Disable"}
                <span className="sr-only"> {agent.name}</span>
              </Button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SelectField } from "@/app/_components/ui/field";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { Grant } from "@/app/_lib/trpc-types";
import { GrantStateBadge } from "./grant-state-badge";

type Show = "active" | "all";
type Notice = { tone: "error" | "success"; text: string } | null;

const headerClass = "px-3 py-3 text-left text-xs font-semibold text-slate-700 uppercase";

/** The tenant's grants (active ones, or all), each revocable after a confirmation. */
export function GrantsList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [show, setShow] = useState<Show>("active");
  const grants = useQuery(trpc.grant.list.queryOptions({ state: show }));
  const [notice, setNotice] = useState<Notice>(null);
  const revoke = useMutation(
    trpc.grant.revoke.mutationOptions({
      onSuccess: async (grant) => {
        setNotice({ tone: "success", text: `Revoked ${grant.agent.name}'s grant to ${grant.describe}.` });
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.grant.list.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.agent.list.queryKey() }),
        ]);
      },
      onError: (error) => setNotice({ tone: "error", text: `Could not revoke the grant: ${error.message}` }),
    }),
  );

  return (
    <div className="space-y-3">
      <SelectField
        label="Show"
        name="show"
        value={show}
        onChange={(e) => setShow(e.target.value === "all" ? "all" : "active")}
        options={[
          { value: "active", label: "Active grants" },
          { value: "all", label: "All grants, including expired and revoked" },
        ]}
        className="max-w-sm"
      />
      {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
      {grants.isError ? (
        <Alert>Could not load the grants: {grants.error.message}</Alert>
      ) : !grants.data ? (
        <p className="text-sm text-slate-600">Loading grants…</p>
      ) : grants.data.length === 0 ? (
        <p className="text-sm text-slate-600">
          {show === "active" ? "No grants are active." : "No grants have been given yet."}
        </p>
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200">
            <caption className="sr-only">{show === "active" ? "Active grants" : "All grants"}</caption>
            <thead className="bg-slate-50">
              <tr>
                <th scope="col" className={headerClass}>
                  Agent
                </th>
                <th scope="col" className={headerClass}>
                  May
                </th>
                <th scope="col" className={headerClass}>
                  Until
                </th>
                <th scope="col" className={headerClass}>
                  State
                </th>
                <th scope="col" className={headerClass}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {grants.data.map((grant) => (
                <GrantRow
                  key={grant.id}
                  grant={grant}
                  busy={revoke.isPending && revoke.variables.grantId === grant.id}
                  onRevoke={() => {
                    setNotice(null);
                    revoke.mutate({ grantId: grant.id });
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function GrantRow({ grant, busy, onRevoke }: { grant: Grant; busy: boolean; onRevoke: () => void }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <tr className="align-top">
      <td className="px-3 py-3 text-sm font-medium whitespace-nowrap text-slate-900">{grant.agent.name}</td>
      <td className="px-3 py-3 text-sm text-slate-800">
        {grant.describe}
        <p className="mt-0.5 text-xs text-slate-600">
          Why: {grant.reason}. Given by {grant.createdBy},{" "}
          <time dateTime={grant.createdAt.toISOString()}>{formatDateTime(grant.createdAt)}</time>
          {grant.revokedAt ? (
            <>
              ; revoked by {grant.revokedBy ?? "someone"},{" "}
              <time dateTime={grant.revokedAt.toISOString()}>{formatDateTime(grant.revokedAt)}</time>
            </>
          ) : null}
          .
        </p>
      </td>
      <td className="px-3 py-3 text-sm whitespace-nowrap text-slate-700">
        <time dateTime={grant.expiresAt.toISOString()}>{formatDateTime(grant.expiresAt)}</time>
      </td>
      <td className="px-3 py-3 text-sm">
        <GrantStateBadge state={grant.state} />
      </td>
      <td className="px-3 py-3 text-right text-sm whitespace-nowrap">
        {grant.state !== "active" ? null : confirming ? (
          <span className="inline-flex items-center gap-2">
            <span className="text-slate-800">Revoke it now?</span>
            <Button
              variant="danger"
              size="sm"
              pending={busy}
              onClick={() => {
                setConfirming(false);
                onRevoke();
              }}
            >
              Yes, revoke
            </Button>
            <Button variant="secondary" size="sm" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          </span>
        ) : (
          <Button variant="secondary" size="sm" disabled={busy} onClick={() => setConfirming(true)}>
            Revoke
            <span className="sr-only">
              {" "}
              {grant.agent.name}&apos;s grant to {grant.describe}
            </span>
          </Button>
        )}
      </td>
    </tr>
  );
}

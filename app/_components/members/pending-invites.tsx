"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { RoleBadge } from "@/app/_components/tenant/role-badge";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";

/** Invitations not yet accepted or revoked, each with a way to withdraw it. */
export function PendingInvites() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invites = useQuery(trpc.invite.list.queryOptions());
  const revoke = useMutation(
    trpc.invite.revoke.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.invite.list.queryKey() }),
    }),
  );

  if (invites.isError) return <Alert>Could not load the invitations: {invites.error.message}</Alert>;
  if (!invites.data) return <p className="text-sm text-slate-600">Loading invitations…</p>;
  if (invites.data.length === 0) return <p className="text-sm text-slate-600">No invitations are waiting.</p>;

  return (
    <div className="space-y-3">
      {revoke.error ? <Alert>Could not revoke the invitation: {revoke.error.message}</Alert> : null}
      <ul className="divide-y divide-slate-200 rounded-md border border-slate-200">
        {invites.data.map((invite) => (
          <li key={invite.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3">
            <div className="min-w-0">
              <p className="flex items-center gap-2 text-sm font-medium text-slate-900">
                <span className="truncate">{invite.email}</span>
                <RoleBadge role={invite.role} />
                {invite.status === "expired" ? (
                  <span className="rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-900 ring-1 ring-amber-200 ring-inset">
                    Expired
                  </span>
                ) : null}
              </p>
              <p className="mt-0.5 text-xs text-slate-600">
                Invited by {invite.invitedBy} · {invite.status === "expired" ? "expired" : "expires"}{" "}
                {formatDateTime(invite.expiresAt)}
              </p>
            </div>
            <Button
              variant="secondary"
              size="sm"
              pending={revoke.isPending && revoke.variables.inviteId === invite.id}
              onClick={() => revoke.mutate({ inviteId: invite.id })}
            >
              Revoke<span className="sr-only"> invitation for {invite.email}</span>
            </Button>
          </li>
        ))}
      </ul>
    </div>
  );
}

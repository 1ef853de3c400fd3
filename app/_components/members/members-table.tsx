"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { useTRPC } from "@/app/_lib/trpc";
import type { Member, Role, RoleOption } from "@/app/_lib/trpc-types";
import { MemberRow } from "./member-row";

type Notice = { tone: "error" | "success"; text: string } | null;

/**
 * The tenant's members. With `roles` (the roles the viewer may give) each row can change the member's role or
 * remove them; the server decides what is allowed (e.g. the last owner stays) and its message is shown.
 */
export function MembersTable({
  currentUserId,
  tenantName,
  roles,
}: {
  currentUserId: string;
  tenantName: string;
  roles?: readonly RoleOption[];
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const members = useQuery(trpc.member.list.queryOptions());
  const [notice, setNotice] = useState<Notice>(null);
  const roleHeaderId = useId();

  const refreshMembers = () => queryClient.invalidateQueries({ queryKey: trpc.member.list.queryKey() });

  const changeRole = useMutation(
    trpc.member.changeRole.mutationOptions({
      onSuccess: async (updated) => {
        setNotice({ tone: "success", text: `${updated.name} is now ${updated.role}.` });
        await refreshMembers();
        // Your own role decides what this page shows you, so the server renders it again.
        if (updated.userId === currentUserId) router.refresh();
      },
      onError: (error, input) =>
        setNotice({
          tone: "error",
          text: `Could not change the role of ${nameOf(input.membershipId)}: ${error.message}`,
        }),
    }),
  );
  const remove = useMutation(
    trpc.member.remove.mutationOptions({
      onSuccess: async (_result, input) => {
        const removed = members.data?.find((m) => m.membershipId === input.membershipId);
        if (removed?.userId === currentUserId) {
          router.push("/");
          return;
        }
        setNotice({ tone: "success", text: `${removed?.name ?? "The member"} was removed from the tenant.` });
        await refreshMembers();
      },
      onError: (error, input) =>
        setNotice({
          tone: "error",
          text: `Could not remove ${nameOf(input.membershipId)}: ${error.message}`,
        }),
    }),
  );

  function nameOf(membershipId: string): string {
    return members.data?.find((m) => m.membershipId === membershipId)?.name ?? "this member";
  }

  if (members.isError) return <Alert>Could not load the members: {members.error.message}</Alert>;
  if (!members.data) return <p className="text-sm text-slate-600">Loading members…</p>;

  const busy = changeRole.isPending || remove.isPending;
  // A member whose role the viewer may not give (an owner, for an admin) gets no controls.
  const manage = (member: Member) =>
    roles?.some((r) => r.value === member.role)
      ? {
          roles,
          busy,
          onChangeRole: (role: Role) => {
            setNotice(null);
            changeRole.mutate({ membershipId: member.membershipId, role });
          },
          onRemove: () => {
            setNotice(null);
            remove.mutate({ membershipId: member.membershipId });
          },
        }
      : undefined;

  return (
    <div className="space-y-3">
      {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
      <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-xs">
        <table className="min-w-full divide-y divide-slate-200">
          <caption className="sr-only">Members of {tenantName}</caption>
          <thead className="bg-slate-50">
            <tr>
              <th
                scope="col"
                className="py-3 pr-4 pl-4 text-left text-xs font-semibold text-slate-700 uppercase sm:pl-6"
              >
                Name
              </th>
              <th scope="col" className="px-3 py-3 text-left text-xs font-semibold text-slate-700 uppercase">
                Email
              </th>
              <th
                id={roleHeaderId}
                scope="col"
                className="px-3 py-3 text-left text-xs font-semibold text-slate-700 uppercase"
              >
                Role
              </th>
              <th scope="col" className="px-3 py-3 text-left text-xs font-semibold text-slate-700 uppercase">
                Joined
              </th>
              {roles ? (
                <th
                  scope="col"
                  className="py-3 pr-4 pl-3 text-right text-xs font-semibold text-slate-700 uppercase sm:pr-6"
                >
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200">
            {members.data.map((member) => (
              <MemberRow
                key={member.membershipId}
                member={member}
                roleHeaderId={roleHeaderId}
                isYou={member.userId === currentUserId}
                manage={manage(member)}
              />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

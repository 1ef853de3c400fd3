"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc";

export function MemberCount() {
  const trpc = useTRPC();
  const members = useQuery(trpc.member.list.queryOptions());
  if (members.isError)
    return <span className="text-sm text-red-700">Could not load members: {members.error.message}</span>;
  if (!members.data) return <span className="text-sm text-slate-600">Loading…</span>;
  const count = members.data.length;
  return (
    <span>
      <span className="text-3xl font-semibold text-slate-900">{count}</span>{" "}
      <span className="text-sm text-slate-700">{count === 1 ? "member" : "members"}</span>
    </span>
  );
}

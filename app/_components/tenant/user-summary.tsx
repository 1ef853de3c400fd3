"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc";

/** The signed-in user's name and email; follows profile edits through the shared query cache. */
export function UserSummary() {
  const trpc = useTRPC();
  const profile = useQuery(trpc.profile.get.queryOptions());
  if (!profile.data)
    return <p className="h-10 text-sm text-slate-500">{profile.isError ? "" : "Loading…"}</p>;
  return (
    <div className="min-w-0">
      <p className="truncate text-sm font-medium text-slate-900">{profile.data.name}</p>
      <p className="truncate text-xs text-slate-600">{profile.data.email}</p>
    </div>
  );
}

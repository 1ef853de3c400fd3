"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc";

/** How often the count is read again; the Approvals page shares (and refreshes) the same query. */
const REFRESH_MS = 60_000;

/** How many approvals wait for the viewer, beside the nav link; nothing when none do. */
export function ApprovalsCount() {
  const trpc = useTRPC();
  const inbox = useQuery(trpc.approval.inbox.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  const count = inbox.data?.length ?? 0;
  if (count === 0) return null;
  return (
    <span className="ml-2 inline-flex min-w-5 items-center justify-center rounded-full bg-indigo-600 px-1.5 text-xs font-semibold text-white">
      {count}
      <span className="sr-only"> waiting</span>
    </span>
  );
}

"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";

/** A short, readable name for a browser's user-agent string ("Chrome on Linux"). */
function deviceName(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /(Chrome|Chromium)\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : null;
  const system = /Windows/.test(userAgent)
    ? "Windows"
    : /iPhone|iPad/.test(userAgent)
      ? "iOS"
      : /Mac OS X/.test(userAgent)
        ? "macOS"
        : /Android/.test(userAgent)
          ? "Android"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? userAgent.slice(0, 60);
}

export function SessionsList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.profile.sessions.queryOptions());
  const signOutOthers = useMutation(
    trpc.profile.signOutOtherSessions.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.profile.sessions.queryKey() }),
    }),
  );

  if (sessions.isError) return <Alert>Could not load your sessions: {sessions.error.message}</Alert>;
  if (!sessions.data) return <p className="text-sm text-slate-600">Loading sessions…</p>;
  const others = sessions.data.filter((s) => !s.current).length;
  const ended = signOutOthers.data?.ended ?? 0;

  return (
    <div className="space-y-4">
      <ul className="divide-y divide-slate-200 rounded-md border border-slate-200">
        {sessions.data.map((s) => (
          <li key={s.handle} className="flex flex-wrap items-center justify-between gap-2 px-4 py-3">
            <div>
              <p className="text-sm font-medium text-slate-900">{deviceName(s.userAgent)}</p>
              <p className="text-xs text-slate-600">
                Signed in {formatDateTime(s.createdAt)}
                {s.ip ? ` · ${s.ip}` : null}
              </p>
            </div>
            {s.current ? (
              <span className="rounded-full bg-emerald-50 px-2.5 py-0.5 text-xs font-medium text-emerald-900 ring-1 ring-emerald-200 ring-inset">
                This session
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      {signOutOthers.error ? <Alert>{signOutOthers.error.message}</Alert> : null}
      {signOutOthers.isSuccess ? (
        <Alert tone="success">
          {ended === 0
            ? "No other sessions were open."
            : `Signed out of ${ended} other ${ended === 1 ? "session" : "sessions"}.`}
        </Alert>
      ) : null}
      <Button
        variant="secondary"
        pending={signOutOthers.isPending}
        disabled={others === 0}
        onClick={() => signOutOthers.mutate()}
      >
        Sign out other sessions
      </Button>
    </div>
  );
}

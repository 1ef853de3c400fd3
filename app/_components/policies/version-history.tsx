"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { PolicyEditor } from "./policy-editor";

/**
 * Every saved version, newest first. One can be opened read-only, and loaded into the editor as a new
 * draft: restoring an old version means saving it again as the next one, so history only grows.
 */
export function VersionHistory({
  currentVersion,
  onLoad,
}: {
  currentVersion: number;
  onLoad: (version: number, text: string) => void;
}) {
  const trpc = useTRPC();
  const history = useQuery(trpc.policy.history.queryOptions());
  const [viewing, setViewing] = useState<number | null>(null);

  if (history.isError) return <Alert>Could not load the history: {history.error.message}</Alert>;
  if (!history.data) return <p className="text-sm text-slate-600">Loading the history…</p>;
  return (
    <div className="space-y-4">
      <ol
        aria-label="Policy versions"
        className="divide-y divide-slate-200 rounded-md border border-slate-200"
      >
        {history.data.map((v) => (
          <li key={v.version} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3">
            <div className="min-w-0">
              <p className="text-sm font-medium text-slate-900">
                Version {v.version}
                {v.version === currentVersion ? (
                  <span className="ml-2 rounded-full bg-indigo-50 px-2 py-0.5 text-xs font-medium text-indigo-800 ring-1 ring-indigo-200 ring-inset">
                    Current
                  </span>
                ) : null}
                <span className="font-normal text-slate-700">: {v.summary}</span>
              </p>
              <p className="mt-0.5 text-xs text-slate-600">
                {v.author ? `${v.author}, ` : ""}
                <time dateTime={v.createdAt.toISOString()}>{formatDateTime(v.createdAt)}</time>
              </p>
            </div>
            <Button
              variant="secondary"
              size="sm"
              aria-expanded={viewing === v.version}
              onClick={() => setViewing((open) => (open === v.version ? null : v.version))}
            >
              {viewing === v.version ? "Close" : "View"}
              <span className="sr-only"> version {v.version}</span>
            </Button>
          </li>
        ))}
      </ol>
      {viewing !== null ? <VersionViewer version={viewing} onLoad={onLoad} /> : null}
    </div>
  );
}

function VersionViewer({
  version,
  onLoad,
}: {
  version: number;
  onLoad: (version: number, text: string) => void;
}) {
  const trpc = useTRPC();
  const saved = useQuery(trpc.policy.version.queryOptions({ version }));
  if (saved.isError)
    return (
      <Alert>
        Could not load version {version}: {saved.error.message}
      </Alert>
    );
  if (!saved.data) return <p className="text-sm text-slate-600">Loading version {version}…</p>;
  const { text } = saved.data;
  return (
    <div className="space-y-3">
      <PolicyEditor label={`Version ${version} (read-only)`} value={text} readOnly />
      <Button variant="secondary" onClick={() => onLoad(version, text)}>
        Load version {version} into the editor
      </Button>
    </div>
  );
}

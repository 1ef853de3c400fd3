"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { useTRPC } from "@/app/_lib/trpc";
import type { AuditListInput } from "@/app/_lib/trpc-types";

function download(file: { filename: string; contentType: string; body: string }) {
  const url = URL.createObjectURL(new Blob([file.body], { type: file.contentType }));
  const link = document.createElement("a");
  link.href = url;
  link.download = file.filename;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

/**
 * Downloads the entries matching the current filters; the export is itself recorded in the log. Also
 * downloads the signed checkpoints with the public key, for someone outside the database to keep: with
 * them, a later copy of the log can be checked even by someone who does not trust the database.
 */
export function ExportButtons({ filter }: { filter: AuditListInput }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const exportLog = useMutation(
    trpc.audit.export.mutationOptions({
      onSuccess: async (file) => {
        download(file);
        await queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() });
      },
    }),
  );
  // A read a person starts: fetched fresh on every click rather than kept in the cache.
  const checkpoints = useMutation({
    mutationFn: async () => {
      const signed = await queryClient.fetchQuery({ ...trpc.audit.checkpoints.queryOptions(), staleTime: 0 });
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const file = {
        filename: `audit-checkpoints-${signed.tenantId}-${stamp}.json`,
        contentType: "application/json",
        body: `${JSON.stringify(signed, null, 2)}\n`,
      };
      download(file);
      return { filename: file.filename, count: signed.checkpoints.length };
    },
  });
  const { limit: _limit, ...range } = filter;
  const pending = (format: "json" | "csv") => exportLog.isPending && exportLog.variables.format === format;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        <Button
          variant="secondary"
          pending={pending("json")}
          onClick={() => exportLog.mutate({ ...range, format: "json" })}
        >
          Export JSON
        </Button>
        <Button
          variant="secondary"
          pending={pending("csv")}
          onClick={() => exportLog.mutate({ ...range, format: "csv" })}
        >
          Export CSV
        </Button>
        <Button variant="secondary" pending={checkpoints.isPending} onClick={() => checkpoints.mutate()}>
          Download checkpoints
        </Button>
      </div>
      {exportLog.isError ? <Alert>Could not export: {exportLog.error.message}</Alert> : null}
      {exportLog.data ? (
        <Alert tone="success">
          Downloaded {exportLog.data.filename} ({exportLog.data.count}{" "}
          {exportLog.data.count === 1 ? "entry" : "entries"}).
        </Alert>
      ) : null}
      {checkpoints.isError ? (
        <Alert>Could not download the checkpoints: {checkpoints.error.message}</Alert>
      ) : null}
      {checkpoints.data ? (
        <Alert tone="success">
          Downloaded {checkpoints.data.filename}
          {checkpoints.data.count === 0
            ? ": the public key, but no signed checkpoint yet (the log is signed as it grows)."
            : ` (${checkpoints.data.count} signed ${checkpoints.data.count === 1 ? "checkpoint" : "checkpoints"}).`}{" "}
          Keep it somewhere the database&apos;s administrators cannot change.
        </Alert>
      ) : null}
    </div>
  );
}

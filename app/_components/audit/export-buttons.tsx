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

/** Downloads the entries matching the current filters; the export is itself recorded in the log. */
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
      </div>
      {exportLog.isError ? <Alert>Could not export: {exportLog.error.message}</Alert> : null}
      {exportLog.data ? (
        <Alert tone="success">
          Downloaded {exportLog.data.filename} ({exportLog.data.count}{" "}
          {exportLog.data.count === 1 ? "entry" : "entries"}).
        </Alert>
      ) : null}
    </div>
  );
}

"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { useTRPC } from "@/app/_lib/trpc";
import type { RunDetailView } from "@/app/_lib/trpc-types";
import { RunsError } from "./runs-error";

/**
 * Cancel (a running run, after a confirmation) and Rerun (an ended one: a new run with the same event,
 * which the page then opens). Both are recorded in the audit log.
 */
export function RunActions({ slug, run }: { slug: string; run: RunDetailView }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.runs.detail.queryKey({ runId: run.id }) }),
      queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() }),
    ]);
  const cancel = useMutation(
    trpc.runs.cancel.mutationOptions({
      onSuccess: async () => {
        // The run's new state first, so the page never says "cancelled" beside a Cancel button.
        await refresh();
        setNotice("The run was cancelled: no further step will start.");
      },
      // A run that ended meanwhile: show its final state next to the message.
      onError: () => void refresh(),
    }),
  );
  const rerun = useMutation(
    trpc.runs.rerun.mutationOptions({
      onSuccess: async ({ runId }) => {
        await queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });
        router.push(`/t/${slug}/runs/${runId}`);
      },
    }),
  );

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center justify-end gap-2">
        {run.status === "running" ? (
          confirming ? (
            <>
              <span className="text-sm text-slate-800">Cancel this run? Steps already done stay done.</span>
              <Button
                variant="danger"
                pending={cancel.isPending}
                onClick={() => {
                  setConfirming(false);
                  setNotice(null);
                  cancel.mutate({ runId: run.id });
                }}
              >
                Yes, cancel the run
              </Button>
              <Button variant="secondary" onClick={() => setConfirming(false)}>
                Keep it running
              </Button>
            </>
          ) : (
            <Button variant="secondary" pending={cancel.isPending} onClick={() => setConfirming(true)}>
              Cancel run
            </Button>
          )
        ) : (
          <Button
            variant="secondary"
            pending={rerun.isPending}
            onClick={() => rerun.mutate({ runId: run.id })}
          >
            Rerun
          </Button>
        )}
      </div>
      {cancel.isError ? <RunsError error={cancel.error} doing="cancel the run" /> : null}
      {rerun.isError ? <RunsError error={rerun.error} doing="rerun the run" /> : null}
      {notice ? <Alert tone="success">{notice}</Alert> : null}
    </div>
  );
}

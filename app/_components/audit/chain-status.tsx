"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { useTRPC } from "@/app/_lib/trpc";

/** Verifies the hash chain and the signed checkpoints on demand and says what it found. */
export function ChainStatus() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // A read, but one a person starts: fetched fresh on every click rather than kept in the cache.
  const verify = useMutation({
    mutationFn: (scope: "full" | "since_checkpoint") =>
      queryClient.fetchQuery({ ...trpc.audit.verify.queryOptions({ scope }), staleTime: 0 }),
  });
  const result = verify.data;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        <Button pending={verify.isPending} onClick={() => verify.mutate("full")}>
          Verify
        </Button>
        <Button
          variant="secondary"
          pending={verify.isPending}
          onClick={() => verify.mutate("since_checkpoint")}
        >
          Verify since the last checkpoint
        </Button>
      </div>
      {verify.isError ? <Alert>Could not verify the chain: {verify.error.message}</Alert> : null}
      {result ? (
        result.ok ? (
          <Alert tone="success">{result.message}</Alert>
        ) : (
          <Alert>
            {result.message}
            {result.firstBad ? ` (first bad entry: ${result.firstBad.seq.toString()})` : null}
          </Alert>
        )
      ) : null}
    </div>
  );
}

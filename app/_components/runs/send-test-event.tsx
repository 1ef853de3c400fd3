"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import { RunsError } from "./runs-error";

/**
 * Sends a `workflows/test.ping` event for this tenant and opens the run it started, to watch the
 * engine run, sleep and resume it live.
 */
export function SendTestEvent({ slug, maxLength }: { slug: string; maxLength: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [message, setMessage] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const send = useMutation(
    trpc.runs.sendTestEvent.mutationOptions({
      onSuccess: async ({ runId }) => {
        await queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });
        if (runId) router.push(`/t/${slug}/runs/${runId}`);
        else
          setNotice(
            "The test event was sent. Its run will appear in the list below once the engine starts it.",
          );
      },
    }),
  );
  const errors = formErrors(send.error, ["message"] as const);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setNotice(null);
    send.mutate({ message: message.trim() || undefined });
  }

  return (
    <form onSubmit={submit} aria-label="Send a test event" className="space-y-3">
      <TextField
        label="Message (optional)"
        name="message"
        value={message}
        onChange={(e) => setMessage(e.target.value)}
        hint="Echoed by the run's first step"
        error={errors.fields.message}
        maxLength={maxLength}
        className="max-w-md"
      />
      <Button type="submit" pending={send.isPending}>
        Send test event
      </Button>
      {send.isError && !errors.fields.message ? (
        <RunsError error={send.error} doing="send the test event" />
      ) : null}
      {notice ? <Alert tone="success">{notice}</Alert> : null}
    </form>
  );
}

"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import { formatDateTime, formatDuration } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors, type AppClientError } from "@/app/_lib/trpc-errors";
import type { GrantRequest } from "@/app/_lib/trpc-types";

type Notice = { tone: "error" | "success"; text: string } | null;

/**
 * Agents' requests for more access, waiting for an admin. Approving creates the grant, starting now;
 * denying needs a comment, which the agent's person gets to read.
 */
export function GrantRequests() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const requests = useQuery(trpc.grant.requests.queryOptions({ status: "pending" }));
  const [notice, setNotice] = useState<Notice>(null);
  const decide = useMutation(
    trpc.grant.decide.mutationOptions({
      onSuccess: async (request) => {
        setNotice({
          tone: "success",
          text:
            request.status === "approved"
              ? `Approved: ${request.agent.name} may ${request.describe} for ${formatDuration(request.durationMinutes)}.`
              : `Denied ${request.agent.name}'s request.`,
        });
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.grant.requests.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.grant.list.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.agent.list.queryKey() }),
        ]);
      },
    }),
  );

  if (requests.isError) return <Alert>Could not load the requests: {requests.error.message}</Alert>;
  if (!requests.data) return <p className="text-sm text-slate-600">Loading requests…</p>;
  return (
    <div className="space-y-3">
      {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
      {requests.data.length === 0 ? (
        <p className="text-sm text-slate-600">No requests are waiting.</p>
      ) : (
        <ul
          aria-label="Pending requests"
          className="divide-y divide-slate-200 rounded-md border border-slate-200"
        >
          {requests.data.map((request) => (
            <RequestItem
              key={request.id}
              request={request}
              busy={decide.isPending && decide.variables.requestId === request.id}
              error={decide.variables?.requestId === request.id ? decide.error : null}
              onDecide={(approve, comment) => {
                setNotice(null);
                decide.mutate({ requestId: request.id, approve, comment: comment || undefined });
              }}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

function RequestItem({
  request,
  busy,
  error,
  onDecide,
}: {
  request: GrantRequest;
  busy: boolean;
  error: AppClientError | null;
  onDecide: (approve: boolean, comment: string) => void;
}) {
  const [denying, setDenying] = useState(false);
  const [comment, setComment] = useState("");
  const [commentMissing, setCommentMissing] = useState(false);
  const errors = formErrors(error, ["comment"] as const);
  return (
    <li className="space-y-3 px-4 py-3">
      <div>
        <p className="text-sm font-medium text-slate-900">
          {request.agent.name} <span className="font-normal text-slate-700">for {request.actingFor}</span>{" "}
          asks to {request.describe}
        </p>
        <p className="mt-0.5 text-sm text-slate-700">
          For {formatDuration(request.durationMinutes)}. Why: {request.reason}
        </p>
        <p className="mt-0.5 text-xs text-slate-600">
          Asked <time dateTime={request.createdAt.toISOString()}>{formatDateTime(request.createdAt)}</time>
        </p>
      </div>
      {denying ? (
        <form
          className="flex flex-wrap items-start gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (!comment.trim()) {
              setCommentMissing(true);
              return;
            }
            onDecide(false, comment.trim());
          }}
        >
          <TextField
            label="Why deny it?"
            name="comment"
            value={comment}
            onChange={(e) => {
              setComment(e.target.value);
              setCommentMissing(false);
            }}
            maxLength={500}
            error={commentMissing ? "Say why you deny the request" : errors.fields.comment}
            hint="The reason is recorded with the decision."
            className="min-w-64 flex-1"
          />
          <div className="flex gap-2 sm:mt-6">
            <Button type="submit" variant="danger" size="sm" pending={busy}>
              Deny request
            </Button>
            <Button variant="secondary" size="sm" onClick={() => setDenying(false)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <div className="flex flex-wrap gap-2">
          <Button size="sm" pending={busy} onClick={() => onDecide(true, "")}>
            Approve<span className="sr-only"> {request.agent.name}&apos;s request</span>
          </Button>
          <Button variant="secondary" size="sm" disabled={busy} onClick={() => setDenying(true)}>
            Deny<span className="sr-only"> {request.agent.name}&apos;s request</span>
          </Button>
        </div>
      )}
      <Alert>{errors.form}</Alert>
    </li>
  );
}

"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { PlanChecklist } from "@/app/_components/requests/plan-checklist";
import { badge } from "@/app/_components/requests/badges";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SectionCard } from "@/app/_components/ui/card";
import { CheckboxField, TextAreaField } from "@/app/_components/ui/field";
import { linkClass } from "@/app/_components/ui/styles";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { ApprovalInboxItem } from "@/app/_lib/trpc-types";

/** How often the inbox is read again while the page is open. */
const REFRESH_MS = 15_000;

/**
 * The approver's inbox: each approval with who asks, what and why, the plan, the approvals so far and
 * whom the viewer stands in for; approve in one click, deny with a comment (required where the rule
 * says), and approve several at once where the rule allows bulk.
 */
export function Inbox({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const inbox = useQuery(trpc.approval.inbox.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  const [selected, setSelected] = useState<string[]>([]);
  const [bulkResults, setBulkResults] = useState<{ taskId: string; ok: boolean; message: string | null }[]>(
    [],
  );
  // The last decision's outcome, kept above the list: the item itself is gone once the inbox refreshes.
  const [decided, setDecided] = useState<{ ok: boolean; message: string } | null>(null);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.approval.inbox.queryKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.approval.openTasks.queryKey() });
  };
  const bulk = useMutation(
    trpc.approval.bulkDecide.mutationOptions({
      onSuccess: async ({ results }) => {
        setDecided(null);
        setBulkResults(results);
        setSelected([]);
        await refresh();
      },
    }),
  );
  const items = inbox.data ?? [];
  const chosen = selected.filter((id) => items.some((i) => i.taskId === id && i.bulk));
  const failed = bulkResults.filter((r) => !r.ok);
  const approvedCount = bulkResults.length - failed.length;

  return (
    <SectionCard
      id="inbox-heading"
      title="Waiting for you"
      description="Requests you are asked to approve, directly or for someone you stand in for."
    >
      {inbox.isError ? <Alert>Could not load your approvals: {inbox.error.message}</Alert> : null}
      {decided ? (
        <div className="mb-4">
          {decided.ok ? <Alert tone="success">{decided.message}</Alert> : <Alert>{decided.message}</Alert>}
        </div>
      ) : null}
      {bulkResults.length > 0 ? (
        <div className="mb-4 space-y-2">
          {approvedCount > 0 ? <Alert tone="success">Approved {approvedCount}.</Alert> : null}
          {failed.length > 0 ? (
            <Alert>
              {failed.length} could not be approved: {failed.map((f) => f.message ?? "refused").join("; ")}
            </Alert>
          ) : null}
        </div>
      ) : null}
      {!inbox.data ? (
        inbox.isError ? null : (
          <p className="text-sm text-slate-600">Loading…</p>
        )
      ) : items.length === 0 ? (
        <p className="text-sm text-slate-600">Nothing is waiting for you.</p>
      ) : (
        <div className="space-y-4">
          {items.some((i) => i.bulk) ? (
            <div className="flex flex-wrap items-center gap-3">
              <Button
                disabled={chosen.length === 0}
                pending={bulk.isPending}
                onClick={() => bulk.mutate({ taskIds: chosen, decision: "approve" })}
              >
                Approve selected ({chosen.length})
              </Button>
              {bulk.error ? <Alert>{bulk.error.message}</Alert> : null}
            </div>
          ) : null}
          <ul className="space-y-4" aria-label="Approvals waiting for you">
            {items.map((item) => (
              <InboxItem
                key={item.taskId}
                slug={slug}
                item={item}
                selected={selected.includes(item.taskId)}
                onSelect={(on) =>
                  setSelected((s) => (on ? [...s, item.taskId] : s.filter((id) => id !== item.taskId)))
                }
                onDecided={async (ok, message) => {
                  setBulkResults([]);
                  setDecided({ ok, message });
                  await refresh();
                }}
              />
            ))}
          </ul>
        </div>
      )}
    </SectionCard>
  );
}

function InboxItem({
  slug,
  item,
  selected,
  onSelect,
  onDecided,
}: {
  slug: string;
  item: ApprovalInboxItem;
  selected: boolean;
  onSelect: (on: boolean) => void;
  onDecided: (ok: boolean, message: string) => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const [denying, setDenying] = useState(false);
  const [comment, setComment] = useState("");
  const [missingComment, setMissingComment] = useState(false);
  const title = `${item.request.title} (${item.request.typeTitle})`;
  const decide = useMutation(
    trpc.approval.decide.mutationOptions({
      onSuccess: (_, input) =>
        onDecided(true, `${input.decision === "approve" ? "Approved" : "Denied"}: ${title}.`),
      // A refusal that is not about the comment (expired, decided by someone else) outlives the item.
      onError: (error) =>
        formErrors(error, ["comment"] as const).fields.comment
          ? undefined
          : onDecided(false, `Not decided: ${title}: ${error.message}`),
    }),
  );
  const errors = formErrors(decide.error, ["comment"] as const);
  const headingId = `approval-${item.taskId}`;

  function deny(e: FormEvent) {
    e.preventDefault();
    // The same rule the server applies, said before the round trip.
    if (item.commentOnDeny && comment.trim() === "") {
      setMissingComment(true);
      return;
    }
    setMissingComment(false);
    decide.mutate({ taskId: item.taskId, decision: "deny", ...(comment.trim() ? { comment } : {}) });
  }

  return (
    <li aria-labelledby={headingId} className="rounded-md border border-slate-200 p-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h3 id={headingId} className="font-medium text-slate-900">
            <Link href={`/t/${slug}/requests/${item.request.id}`} className={linkClass}>
              {title}
            </Link>
          </h3>
          <p className="text-sm text-slate-700">
            {item.request.requester.name} asks · {formatDateTime(item.request.createdAt)}
          </p>
          <div className="mt-1 flex flex-wrap items-center gap-1.5">
            <span className={`${badge} bg-slate-100 text-slate-800 ring-slate-300`}>{item.levelName}</span>
            <span className="text-xs text-slate-600">
              {item.approvals} of {item.required} approval{item.required === 1 ? "" : "s"} so far
            </span>
            {item.forName ? (
              <span className={`${badge} bg-indigo-50 text-indigo-900 ring-indigo-200`}>
                for {item.forName}
              </span>
            ) : null}
          </div>
        </div>
        {item.bulk ? (
          <CheckboxField
            label={<span className="sr-only">Select {title}</span>}
            checked={selected}
            onChange={(e) => onSelect(e.target.checked)}
          />
        ) : null}
      </div>
      {item.reason ? (
        <blockquote className="mt-3 border-l-4 border-slate-200 pl-3 text-sm text-slate-800">
          <span className="sr-only">Why: </span>
          {item.reason}
        </blockquote>
      ) : null}
      <div className="mt-3">
        <PlanChecklist plan={item.plan} />
      </div>
      {item.escalateAt ? (
        <p className="mt-2 text-xs text-slate-600">Decide by {formatDateTime(item.escalateAt)}</p>
      ) : null}
      {denying ? (
        <form className="mt-3 space-y-2" onSubmit={deny} noValidate aria-label={`Deny ${title}`}>
          <TextAreaField
            label={item.commentOnDeny ? "Comment for the requester" : "Comment for the requester (optional)"}
            name="comment"
            rows={2}
            required={item.commentOnDeny}
            maxLength={2000}
            value={comment}
            error={
              missingComment
                ? "Say why you deny it: the requester will see your comment"
                : errors.fields.comment
            }
            onChange={(e) => setComment(e.target.value)}
          />
          {errors.form ? <Alert>{errors.form}</Alert> : null}
          <div className="flex gap-2">
            <Button type="submit" variant="danger" pending={decide.isPending}>
              Confirm deny
            </Button>
            <Button variant="ghost" onClick={() => setDenying(false)}>
              Back
            </Button>
          </div>
        </form>
      ) : (
        <div className="mt-3 space-y-2">
          {errors.form ? <Alert>{errors.form}</Alert> : null}
          <div className="flex gap-2">
            <Button
              pending={decide.isPending}
              aria-label={`Approve ${title}`}
              onClick={() => decide.mutate({ taskId: item.taskId, decision: "approve" })}
            >
              Approve
            </Button>
            <Button variant="secondary" aria-label={`Deny ${title}`} onClick={() => setDenying(true)}>
              Deny
            </Button>
          </div>
        </div>
      )}
    </li>
  );
}

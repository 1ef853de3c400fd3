"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SectionCard } from "@/app/_components/ui/card";
import { SelectField, TextField } from "@/app/_components/ui/field";
import { linkClass } from "@/app/_components/ui/styles";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { ApprovalInboxItem } from "@/app/_lib/trpc-types";

/**
 * For owners and admins: every open approval of the tenant, each with Reassign (the approver left, is
 * away without a delegation, or has a conflict): pick whose say moves, and to whom.
 */
export function OpenApprovals({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const open = useQuery(trpc.approval.openTasks.queryOptions());
  return (
    <SectionCard
      id="open-approvals-heading"
      title="All open approvals"
      description="Every approval still waiting in this tenant. Reassign one when its approver cannot decide."
    >
      {open.isError ? <Alert>{open.error.message}</Alert> : null}
      {open.data?.length === 0 ? <p className="text-sm text-slate-600">No approvals are open.</p> : null}
      <ul className="divide-y divide-slate-200" aria-label="All open approvals">
        {(open.data ?? []).map((item) => (
          <OpenApproval key={item.taskId} slug={slug} item={item} />
        ))}
      </ul>
    </SectionCard>
  );
}

function OpenApproval({ slug, item }: { slug: string; item: ApprovalInboxItem }) {
  const [reassigning, setReassigning] = useState(false);
  const title = `${item.request.title} (${item.request.typeTitle})`;
  return (
    <li className="py-3">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <Link href={`/t/${slug}/requests/${item.request.id}`} className={linkClass}>
            {title}
          </Link>
          <p className="text-xs text-slate-600">
            {item.levelName} · asked by {item.request.requester.name} ·{" "}
            {formatDateTime(item.request.createdAt)}
            {item.request.waitingFor ? ` · ${item.request.waitingFor}` : ""}
          </p>
        </div>
        {reassigning ? null : (
          <Button
            size="sm"
            variant="secondary"
            aria-label={`Reassign ${title}`}
            onClick={() => setReassigning(true)}
          >
            Reassign
          </Button>
        )}
      </div>
      {reassigning ? <ReassignForm item={item} title={title} onDone={() => setReassigning(false)} /> : null}
    </li>
  );
}

function ReassignForm({
  item,
  title,
  onDone,
}: {
  item: ApprovalInboxItem;
  title: string;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const detail = useQuery(trpc.request.get.queryOptions({ requestId: item.request.id }));
  const members = useQuery(trpc.member.list.queryOptions());
  const task = detail.data?.tasks.find((t) => t.id === item.taskId);
  // Only people asked directly can hand their say on; a delegate's comes from someone else.
  const direct = (task?.assignees ?? []).filter((a) => a.forName === null);
  const [fromUserId, setFromUserId] = useState("");
  const [toUserId, setToUserId] = useState("");
  const [note, setNote] = useState("");
  const reassign = useMutation(
    trpc.approval.reassign.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.approval.openTasks.queryKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.approval.inbox.queryKey() });
        onDone();
      },
    }),
  );
  const errors = formErrors(reassign.error, ["fromUserId", "toUserId", "note"] as const);
  const chosenFrom = fromUserId || direct[0]?.userId || "";

  function submit(e: FormEvent) {
    e.preventDefault();
    reassign.mutate({
      taskId: item.taskId,
      fromUserId: chosenFrom,
      toUserId,
      ...(note.trim() ? { note } : {}),
    });
  }

  if (detail.isError) return <Alert>{detail.error.message}</Alert>;
  if (!detail.data) return <p className="text-sm text-slate-600">Loading…</p>;
  return (
    <form
      className="mt-3 space-y-3 rounded-md bg-slate-50 p-3"
      onSubmit={submit}
      aria-label={`Reassign ${title}`}
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <SelectField
          label="Instead of"
          name="fromUserId"
          value={chosenFrom}
          error={errors.fields.fromUserId}
          onChange={(e) => setFromUserId(e.target.value)}
          options={direct.map((a) => ({ value: a.userId, label: a.name }))}
        />
        <SelectField
          label="New approver"
          name="toUserId"
          value={toUserId}
          error={errors.fields.toUserId}
          onChange={(e) => setToUserId(e.target.value)}
          options={[
            { value: "", label: "Choose a member…" },
            ...(members.data ?? [])
              .filter(
                (m) =>
                  m.userId !== item.request.requester.id &&
                  !(task?.assignees ?? []).some((a) => a.userId === m.userId),
              )
              .map((m) => ({ value: m.userId, label: `${m.name} (${m.email})` })),
          ]}
        />
      </div>
      <TextField
        label="Note (optional)"
        name="reassignNote"
        maxLength={500}
        value={note}
        error={errors.fields.note}
        onChange={(e) => setNote(e.target.value)}
      />
      {errors.form ? <Alert>{errors.form}</Alert> : null}
      <div className="flex gap-2">
        <Button type="submit" pending={reassign.isPending}>
          Reassign
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

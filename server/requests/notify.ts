/**
 * Mail about requests: approvers are asked (with signed, single-use approve and deny links that open a
 * confirmation page), reminded and reached by escalation; requesters hear how their request ended.
 * Every message goes through server/mail (SMTP when configured, always the Outbox).
 */
import type { PrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { env } from "@/server/env.js";
import { loadMembers } from "@/server/kernel/access/principals";
import { createActionLink } from "@/server/mail/action-links";
import { sendMail } from "@/server/mail/mailer";
import { definitionOf } from "./catalog";
import type { Assignee, RequestRow, TaskRow } from "./store";
import type { PlanItemView } from "./types";
import { reasonOf } from "./views";

/** Approve/deny links live as long as an approver may reasonably take, capped by the task's deadline. */
const LINK_TTL_MS = 7 * 24 * 3600_000;
export const DECIDE_PURPOSE = "approval.decide";

const url = (path: string) => new URL(path, env.APP_URL).toString();

function planLines(plan: unknown): string[] {
  if (!Array.isArray(plan)) return [];
  return (plan as PlanItemView[]).map(
    (item) => `  - ${item.description} (${item.effect}${item.reversible ? ", reversible" : ""})`,
  );
}

const SUBJECTS = {
  requested: (title: string) => `Approval needed: ${title}`,
  reminder: (title: string) => `Reminder: approval needed: ${title}`,
  escalated: (title: string) => `Escalated to you: ${title}`,
};

/** Asks `assignees` to decide `task`, each with their own approve and deny links. */
export async function notifyAssignees(
  db: PrismaClient,
  tenantId: string,
  request: RequestRow,
  task: TaskRow,
  assignees: readonly Assignee[],
  kind: keyof typeof SUBJECTS,
): Promise<void> {
  if (assignees.length === 0) return;
  await withTenant(db, { tenantId }, async (tx) => {
    const people = await loadMembers(tx, tenantId, [
      request.requester_id,
      ...assignees.flatMap((a) => [a.userId, a.forUserId ?? a.userId]),
    ]);
    const requester = people.get(request.requester_id)?.name ?? "Someone";
    const deadline = task.escalate_at ? task.escalate_at.getTime() - Date.now() : LINK_TTL_MS;
    const ttlMs = Math.max(60_000, Math.min(LINK_TTL_MS, deadline + 3600_000));
    const reason = reasonOf(request.input);
    for (const assignee of assignees) {
      const person = people.get(assignee.userId);
      if (!person) continue;
      const link = (decision: "approve" | "deny") =>
        createActionLink(tx, {
          tenantId,
          userId: assignee.userId,
          purpose: DECIDE_PURPOSE,
          subjectId: task.id,
          payload: { decision },
          ttlMs,
        });
      const approve = url(await link("approve"));
      const deny = url(await link("deny"));
      const forWhom = assignee.forUserId
        ? ` for ${people.get(assignee.forUserId)?.name ?? "a colleague"}`
        : "";
      const text = [
        `${requester} asks: ${request.title} (${definitionOf(request.type).title}).`,
        ...(reason ? [`Why: ${reason}`] : []),
        "",
        `You are asked to decide as ${task.name}${forWhom}. If approved, Tenet will:`,
        ...planLines(request.plan),
        "",
        `Approve: ${approve}`,
        `Deny: ${deny}`,
        "",
        "Each link opens a confirmation page, works once, and expires.",
        `Or open your approvals inbox: ${url(`/t/${await tenantSlug(db, tenantId)}/approvals`)}`,
      ].join("\n");
      await sendMail(tx, {
        to: person.email,
        subject: SUBJECTS[kind](request.title),
        text,
        tenantId,
        kind: `approval.${kind}`,
      });
    }
  });
}

const END_WORDS = {
  done: "is done",
  rejected: "was rejected",
  failed: "failed",
  cancelled: "was cancelled",
} as const;

/** Tells the requester how their request ended, and why. */
export async function notifyRequester(
  db: PrismaClient,
  tenantId: string,
  request: RequestRow,
  status: keyof typeof END_WORDS,
  outcome: string,
): Promise<void> {
  const slug = await tenantSlug(db, tenantId);
  await withTenant(db, { tenantId }, async (tx) => {
    const requester = (await loadMembers(tx, tenantId, [request.requester_id])).get(request.requester_id);
    if (!requester) return;
    await sendMail(tx, {
      to: requester.email,
      subject: `Your request ${END_WORDS[status]}: ${request.title}`,
      text: [
        `Your request "${request.title}" ${END_WORDS[status]}.`,
        "",
        outcome,
        "",
        url(`/t/${slug}/requests/${request.id}`),
      ].join("\n"),
      tenantId,
      kind: `request.${status}`,
    });
  });
}

async function tenantSlug(db: PrismaClient, tenantId: string): Promise<string> {
  const tenant = await db.tenant.findUnique({ where: { id: tenantId }, select: { slug: true } });
  return tenant?.slug ?? "";
}

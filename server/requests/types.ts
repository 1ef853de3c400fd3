/**
 * Requests and approvals as the pages and the API see them: statuses, routing rules and views. Plain
 * zod and types only, so client components import this module too.
 */
import { z } from "zod";
import type { Approver } from "@/server/kernel/access/approval";
import { ROLES } from "@/server/tenancy/roles";

export const REQUEST_STATUSES = [
  "submitted",
  "planning",
  "waiting",
  "running",
  "done",
  "rejected",
  "failed",
  "cancelled",
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Statuses a request does not leave. */
export const FINAL_STATUSES = [
  "done",
  "rejected",
  "failed",
  "cancelled",
] as const satisfies readonly RequestStatus[];
export const isFinal = (status: RequestStatus) =>
  (FINAL_STATUSES as readonly RequestStatus[]).includes(status);

export const STATUS_WORDS: Record<RequestStatus, string> = {
  submitted: "Submitted",
  planning: "Planning",
  waiting: "Waiting for approval",
  running: "Approved, running",
  done: "Done",
  rejected: "Rejected",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const REQUEST_TYPES = [
  "time-off",
  "software-access",
  "equipment",
  "room-booking",
  "maintenance",
  "expense",
  "purchase",
  "onboarding",
  "offboarding",
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];
export const requestTypeSchema = z.enum(REQUEST_TYPES, `Choose one of: ${REQUEST_TYPES.join(", ")}`);

// ─── Routing rules ───────────────────────────────────────────────────────────────────────────────

const DURATION_UNITS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d{1,4})([smhd])$/;

/** "30s", "15m", "4h", "2d": what SLAs are written in (and what the workflow engine's waits take). */
export const durationSchema = z
  .string()
  .trim()
  .regex(DURATION, 'Write a duration such as "30s", "15m", "4h" or "2d"')
  .refine((d) => durationMs(d) >= 1_000 && durationMs(d) <= 90 * 86_400_000, "Use between 1s and 90d");

export function durationMs(duration: string): number {
  const match = DURATION.exec(duration.trim());
  if (!match) throw new Error(`Not a duration: ${duration}`);
  return Number(match[1]) * DURATION_UNITS[match[2] as keyof typeof DURATION_UNITS];
}

/** Who approves a level: the requester's manager (from HR), or any member holding a role (the kernel's Approver). */
export type ApproverKind = Approver;
export const approverSchema = z.union(
  [z.literal("manager"), ...ROLES.map((role) => z.literal(`role:${role}` as const))],
  `Choose "manager" or a role: ${ROLES.map((r) => `role:${r}`).join(", ")}`,
);

/** What happens when a level's SLA runs out after its reminder. */
export const TIMEOUT_OUTCOMES = ["escalate", "approve", "reject", "cancel"] as const;
export type TimeoutOutcome = (typeof TIMEOUT_OUTCOMES)[number];

export const slaSchema = z
  .object({
    /** When the assignees get a reminder. */
    remindAfter: durationSchema,
    /** When, after the level opened, the outcome below applies. */
    decideAfter: durationSchema,
    onTimeout: z.enum(TIMEOUT_OUTCOMES, "Choose escalate, approve, reject or cancel"),
  })
  .refine((s) => durationMs(s.remindAfter) < durationMs(s.decideAfter), {
    message: "Remind before the deadline",
    path: ["remindAfter"],
  });
export type Sla = z.output<typeof slaSchema>;

export const levelSchema = z.object({
  name: z.string().trim().min(1, "Name the level").max(120, "Use at most 120 characters"),
  approver: approverSchema,
  /** N of M: how many of the assignees must approve; one denial rejects. */
  required: z.number().int().min(1, "At least one approval").max(20, "At most 20").default(1),
  /** The level applies only to requests of at least this amount (finance thresholds). */
  minAmountCents: z.number().int().min(0).max(1_000_000_000_000).optional(),
  commentOnDeny: z.boolean().default(false),
  bulk: z.boolean().default(true),
  sla: slaSchema.optional(),
});
export type Level = z.output<typeof levelSchema>;

export const routingRuleSchema = z.object({
  levels: z.array(levelSchema).max(10, "At most 10 levels"),
});
export type RoutingRule = z.output<typeof routingRuleSchema>;

// ─── Views ───────────────────────────────────────────────────────────────────────────────────────

/** One line of the plan an approver sees: "Create Figma account for Bob (write, reversible)". */
export type PlanItemView = {
  key: string;
  action: string;
  connector: string;
  effect: "read" | "write" | "destructive";
  reversible: boolean;
  description: string;
  changes: { kind: string; summary: string }[];
  warnings: string[];
  /** The kernel's decision on the preview: allow, deny or require approval. */
  decision: string;
  reasons: string[];
};

export type TimelineEntryView = {
  id: string;
  at: Date;
  kind: string;
  message: string;
  detail: unknown;
};

export type DecisionView = {
  userId: string;
  name: string;
  decision: "approve" | "deny";
  comment: string | null;
  forName: string | null;
  via: "inbox" | "bulk" | "email";
  at: Date;
};

export type TaskView = {
  id: string;
  level: number;
  name: string;
  approver: ApproverKind;
  required: number;
  status: "open" | "approved" | "rejected" | "expired" | "cancelled";
  assignees: { userId: string; name: string; forName: string | null }[];
  decisions: DecisionView[];
  commentOnDeny: boolean;
  bulk: boolean;
  remindAt: Date | null;
  escalateAt: Date | null;
  escalatedAt: Date | null;
  createdAt: Date;
  closedAt: Date | null;
};

export type RequestSummaryView = {
  id: string;
  type: RequestType;
  typeTitle: string;
  title: string;
  status: RequestStatus;
  waitingFor: string | null;
  outcome: string | null;
  requester: { id: string; name: string };
  createdAt: Date;
  updatedAt: Date;
};

export type RequestDetailView = RequestSummaryView & {
  input: unknown;
  plan: PlanItemView[] | null;
  results: unknown;
  runId: string | null;
  tasks: TaskView[];
  timeline: TimelineEntryView[];
  canCancel: boolean;
};

/** One item of an approver's inbox. */
export type InboxItemView = {
  taskId: string;
  request: RequestSummaryView;
  levelName: string;
  approver: ApproverKind;
  required: number;
  approvals: number;
  reason: string | null;
  plan: PlanItemView[];
  commentOnDeny: boolean;
  bulk: boolean;
  /** Set when the viewer decides for someone else (a delegation or reassignment). */
  forName: string | null;
  escalateAt: Date | null;
};

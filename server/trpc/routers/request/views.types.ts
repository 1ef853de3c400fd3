/**
 * The requests domain's views (server/requests/types.ts) as zod output schemas, shared by the request
 * and approval routers so both answer with the same shapes.
 */
import { z } from "zod";
import { FIELD_WIDGETS } from "@/server/requests/catalog-view";
import { TASK_STATUSES } from "@/server/requests/store";
import { approverSchema, REQUEST_STATUSES, REQUEST_TYPES } from "@/server/requests/types";

export const requestIdSchema = z.uuid("Not a request id");

const person = z.object({ id: z.string(), name: z.string() });

export const planItemView = z.object({
  key: z.string(),
  action: z.string(),
  connector: z.string(),
  effect: z.enum(["read", "write", "destructive"]),
  reversible: z.boolean(),
  description: z.string(),
  changes: z.array(z.object({ kind: z.string(), summary: z.string() })),
  warnings: z.array(z.string()),
  decision: z.string(),
  reasons: z.array(z.string()),
});

export const requestSummaryView = z.object({
  id: z.string(),
  type: z.enum(REQUEST_TYPES),
  typeTitle: z.string(),
  title: z.string(),
  status: z.enum(REQUEST_STATUSES),
  waitingFor: z.string().nullable(),
  outcome: z.string().nullable(),
  requester: person,
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const decisionView = z.object({
  userId: z.string(),
  name: z.string(),
  decision: z.enum(["approve", "deny"]),
  comment: z.string().nullable(),
  forName: z.string().nullable(),
  via: z.enum(["inbox", "bulk", "email"]),
  at: z.date(),
});

export const taskView = z.object({
  id: z.string(),
  level: z.number().int(),
  name: z.string(),
  approver: approverSchema,
  required: z.number().int(),
  status: z.enum(TASK_STATUSES),
  assignees: z.array(z.object({ userId: z.string(), name: z.string(), forName: z.string().nullable() })),
  decisions: z.array(decisionView),
  commentOnDeny: z.boolean(),
  bulk: z.boolean(),
  remindAt: z.date().nullable(),
  escalateAt: z.date().nullable(),
  escalatedAt: z.date().nullable(),
  createdAt: z.date(),
  closedAt: z.date().nullable(),
});

export const timelineEntryView = z.object({
  id: z.string(),
  at: z.date(),
  kind: z.string(),
  message: z.string(),
  detail: z.unknown(),
});

export const requestDetailView = requestSummaryView.extend({
  input: z.unknown(),
  plan: z.array(planItemView).nullable(),
  results: z.unknown(),
  runId: z.string().nullable(),
  tasks: z.array(taskView),
  timeline: z.array(timelineEntryView),
  canCancel: z.boolean(),
});

export const inboxItemView = z.object({
  taskId: z.string(),
  request: requestSummaryView,
  levelName: z.string(),
  approver: approverSchema,
  required: z.number().int(),
  approvals: z.number().int(),
  reason: z.string().nullable(),
  plan: z.array(planItemView),
  commentOnDeny: z.boolean(),
  bulk: z.boolean(),
  forName: z.string().nullable(),
  escalateAt: z.date().nullable(),
});

const jsonValue = z.json();

export const formFieldView = z.object({
  name: z.string(),
  label: z.string(),
  description: z.string().nullable(),
  placeholder: z.string().nullable(),
  widget: z.enum(FIELD_WIDGETS),
  required: z.boolean(),
  options: z.array(z.object({ value: z.string(), label: z.string() })).nullable(),
  defaultValue: jsonValue.nullable(),
  maxLength: z.number().int().nullable(),
});

export const catalogEntryView = z.object({
  type: z.enum(REQUEST_TYPES),
  title: z.string(),
  description: z.string(),
  category: z.enum(["hr", "it", "facilities", "finance"]),
  audience: z.enum(["everyone", "managers"]),
  available: z.boolean(),
  fields: z.array(formFieldView),
});

/**
 * What a request type is to its workflow: a form (forms.ts), the routing it starts with, and how to
 * turn a submitted form into kernel syscalls. Every request workflow has the same shape
 * (server/workflows/functions/requests.ts): validate → authorize through the kernel → plan (the
 * syscalls, previewed by dry runs) → approvals → execute through the kernel → notify → audit. A type only
 * says what differs: the syscalls.
 */
import type { z } from "zod";
import type { Tx } from "@/server/db/client";
import type { Syscall } from "@/server/kernel/kernel";
import type { RequestForms } from "./forms";
import type { ApproverKind, Level, RequestType, RoutingRule } from "./types";

/** The person asking, as the workflow read them from the directory. */
export type Requester = { id: string; name: string; email: string };

export type PrepareContext = { tx: Tx; tenantId: string; requester: Requester };

/**
 * One connector action of a plan. Steps run in order, each as one kernel syscall with the chain's
 * approvals. `as` says whose authority the kernel sees: the requester's (filing, booking, provisioning
 * their own things behind approval gates), or the authority of the member who approved a level with
 * `approver` (recording a decision in HR or finance, which the requester may never do for themselves).
 * The chain always has a level for a step's approver, unless the step is `optional`: then a chain
 * without one leaves the step out of the run (and the plan says so), e.g. finance posting an expense
 * the manager alone approved.
 */
export type PlanStep = {
  key: string;
  as: "requester" | { approver: ApproverKind; optional?: boolean };
  /** The syscall, built from the outputs of the steps before it (by key) when it needs them. */
  build: (prior: Readonly<Record<string, unknown>>) => Syscall;
  /** Set for a step whose input needs earlier outputs: the plan shows this line instead of a dry run. */
  describeBefore?: string;
  /** The action the step takes, for the plan before it can be built. */
  action?: Syscall["action"];
};

export type Prepared = {
  /** The request's title in lists: "Figma (Editor) for Bob". */
  title: string;
  /** For amount thresholds in routing rules. */
  amountCents?: number;
  steps: PlanStep[];
  /** Levels the request needs whatever the tenant's rule says (an app role's own approver). */
  requiredLevels?: Level[];
};

export type RequestDefinition<T extends RequestType = RequestType> = {
  type: T;
  title: string;
  description: string;
  category: "hr" | "it" | "facilities" | "finance";
  /** Who may ask: everyone, or managers (people with reports in HR) and HR (owners, admins). */
  audience: "everyone" | "managers";
  form: RequestForms[T];
  defaultRule: RoutingRule;
  prepare: (ctx: PrepareContext, input: z.output<RequestForms[T]>) => Prepared | Promise<Prepared>;
};

export const defineRequest = <T extends RequestType>(definition: RequestDefinition<T>) => definition;

/** A level with the schema's defaults filled in, for definitions' default rules. */
export const level = (
  name: string,
  approver: ApproverKind,
  extra: Partial<Omit<Level, "name" | "approver">> = {},
): Level => ({ name, approver, required: 1, commentOnDeny: false, bulk: true, ...extra });

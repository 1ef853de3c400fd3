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
/** A syscall as a plan holds it: plain JSON (the workflow engine keeps the plan between steps). */
export type PlannedSyscall = Omit<Syscall, "schedule" | "signal">;

export type PlanStep = {
  key: string;
  as: "requester" | { approver: ApproverKind; optional?: boolean };
  /**
   * The syscall, as plain data: the plan that is approved is the plan that runs, never rebuilt from a
   * world the earlier steps changed. Where a step needs an earlier step's output, a string value of its
   * input or its resource's id is `outputOf(step, path)`, filled in just before the step runs.
   */
  syscall: PlannedSyscall;
  /** For a step that uses earlier outputs: the plan's line for it, which cannot be dry-run in advance. */
  describeBefore?: string;
};

const OUTPUT_REF = /^\{\{([^.{}]+)\.([^{}]+)\}\}$/;

/** Stands for what step `step` returned at `path` ("request.id"), inside a later step's syscall. */
export const outputOf = (step: string, path: string) => `{{${step}.${path}}}`;

/** Whether a syscall uses earlier steps' outputs (and so cannot be previewed before they ran). */
export const usesOutputs = (syscall: PlannedSyscall): boolean =>
  JSON.stringify([syscall.input, syscall.resource.id]).includes("{{");

function lookup(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = Reflect.get(current, key);
  }
  return current;
}

function fill(value: unknown, outputs: Readonly<Record<string, unknown>>): unknown {
  if (typeof value === "string") {
    const ref = OUTPUT_REF.exec(value);
    if (!ref) return value;
    const found = lookup(outputs[ref[1] ?? ""], ref[2] ?? "");
    if (typeof found !== "string" && typeof found !== "number")
      throw new Error(`Step ${ref[1]} returned no ${ref[2]}`);
    return found;
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, outputs));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, outputs)]));
  return value;
}

/** The syscall with earlier steps' outputs filled in. */
export function withOutputs(
  syscall: PlannedSyscall,
  outputs: Readonly<Record<string, unknown>>,
): PlannedSyscall {
  return {
    ...syscall,
    input: fill(syscall.input, outputs),
    resource: { ...syscall.resource, id: String(fill(syscall.resource.id, outputs)) },
  };
}

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

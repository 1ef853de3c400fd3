/**
 * One workflow per request type, all the same shape (server/requests/definition.ts): plan (validate,
 * authorize and preview through the kernel) → one approval level after the other, each waiting for
 * decisions with its SLA (reminder, then the rule's outcome: escalate, approve, reject or cancel) →
 * carry out the plan through the kernel → finish and notify. The steps' bodies are in
 * server/requests/run.ts; this file is only the order they run in. Decisions are recorded in the
 * database before their event is sent, so the run re-reads the task after every wake-up, and a decision
 * made while the run was between steps is found at the next check.
 */
import type { GetStepTools } from "inngest";
import { getDb } from "@/server/db/client";
import { kernel } from "@/server/platform/kernel";
import type { JsonValue } from "@/server/kernel/audit/canonical-json";
import { REQUEST_DEFINITIONS } from "@/server/requests/catalog";
import {
  authorityOf,
  executeStep,
  finish,
  levelOutcome,
  openLevel,
  planRequest,
  remind,
  taskState,
  timeOut,
  type RunDeps,
} from "@/server/requests/run";
import { REQUEST_TYPES, type Level, type RequestType } from "@/server/requests/types";
import { inngest } from "../client";
import { approvalDecided, approvalRecorded, requestCancelled, requestSubmitted } from "../events";
import { createTenantFunction } from "../tenant-function";

const deps: RunDeps = { db: getDb, kernel };

/** A connector error is retried this many times (with the engine's backoff) before the request fails. */
export const REQUEST_STEP_RETRIES = 2;

export const requestFunctionId = (type: RequestType) => `request-${type}`;

function requestWorkflow(type: RequestType) {
  const definition = REQUEST_DEFINITIONS[type];
  return createTenantFunction({ runsPerTenant: 20 })(
    {
      id: requestFunctionId(type),
      name: `Request: ${definition.title}`,
      triggers: [{ event: requestSubmitted, if: `event.data.type == '${type}'` }],
      cancelOn: [{ event: requestCancelled, match: "data.requestId" }],
      retries: REQUEST_STEP_RETRIES,
      onFailure: async ({ event, error }) => {
        const { tenantId, requestId } = requestSubmitted.schema.parse(event.data.event.data);
        await finish(
          deps,
          tenantId,
          requestId,
          "failed",
          `Failed after ${REQUEST_STEP_RETRIES + 1} attempts: ${error.message}`,
        );
      },
    },
    async ({ event, step, runId, attempt }) => {
      const { tenantId, requestId } = event.data;
      const planned = await step.run("plan", () => planRequest(deps, tenantId, requestId, runId));
      if (planned.outcome === "stopped") return { status: planned.status };

      for (const [index, level] of planned.levels.entries()) {
        const decided = await approvalLevel(step, tenantId, requestId, index, level);
        if (decided === "stopped") return { status: "stopped" };
        if (decided !== "approved") {
          const why = await step.run(`outcome-${index}`, () => levelOutcome(deps, tenantId, decided.taskId));
          const status = decided.status === "cancelled" ? "cancelled" : "rejected";
          await step.run(`end-${index}`, () => finish(deps, tenantId, requestId, status, why));
          return { status };
        }
      }

      const authority = await step.run("authority", () => authorityOf(deps, tenantId, requestId));
      const outputs: Record<string, JsonValue> = {};
      for (const planStep of planned.steps) {
        const done = await step.run(`execute-${planStep.key}`, () =>
          executeStep(deps, tenantId, requestId, planStep, outputs, authority, attempt),
        );
        if (done.status === "stopped") return { status: "stopped" };
        if (done.status === "succeeded") outputs[planStep.key] = done.output;
      }
      await step.run("finish", () =>
        finish(deps, tenantId, requestId, "done", "Everything in the plan was carried out.", outputs),
      );
      return { status: "done" };
    },
  );
}

type Step = GetStepTools<typeof inngest>;

/**
 * Waits for one level: re-reads its task after every decision event and at each SLA point. Returns
 * "approved", the task for a rejection (or cancellation by the rule), or "stopped" when the request
 * ended elsewhere.
 */
async function approvalLevel(
  step: Step,
  tenantId: string,
  requestId: string,
  index: number,
  level: Level,
): Promise<"approved" | "stopped" | { taskId: string; status: "rejected" | "cancelled" }> {
  const opened = await step.run(`open-level-${index}`, () =>
    openLevel(deps, tenantId, requestId, index, level),
  );
  if (opened.outcome === "stopped") return "stopped";
  const { taskId } = opened;
  let reminded = opened.remindAt === null;
  for (let round = 0; ; round++) {
    const state = await step.run(`check-${index}-${round}`, () => taskState(deps, tenantId, taskId));
    if (state.status === "approved") return "approved";
    if (state.status === "rejected" || state.status === "expired") return { taskId, status: "rejected" };
    if (state.status === "cancelled") return { taskId, status: "cancelled" };
    const deadline = !reminded ? opened.remindAt : state.decideAt;
    const event = await step.waitForEvent(`decision-${index}-${round}`, {
      event: approvalDecided,
      if: `async.data.taskId == '${taskId}'`,
      timeout: deadline === null ? "90d" : new Date(deadline),
    });
    if (event !== null) continue;
    if (!reminded) {
      await step.run(`remind-${index}-${round}`, () => remind(deps, tenantId, taskId));
      reminded = true;
      continue;
    }
    const outcome = await step.run(`timeout-${index}-${round}`, () => timeOut(deps, tenantId, taskId, level));
    if (outcome === "approved") return "approved";
    if (outcome === "cancelled") return { taskId, status: "cancelled" };
    if (outcome === "rejected") return { taskId, status: "rejected" };
  }
}

/** How long after a decision its run is woken a second time (see the announcer). */
export const ANNOUNCE_AGAIN_AFTER = "2s";

/**
 * Wakes the run waiting on a decided task, twice. A run re-reads its task each time it wakes, then
 * registers its next wait; an event that arrives between those two moments matches no waiter and is
 * dropped (Inngest's waitForEvent sees only events sent after the wait began). The second wake-up,
 * a moment later, finds the wait registered; if the first already did the job, the run re-reads an
 * unchanged task and waits on. Waking it for another task matches nothing.
 */
export const announceDecision = createTenantFunction({ runsPerTenant: 50 })(
  {
    id: "request-approval-announce",
    name: "Announce an approval decision",
    triggers: [approvalRecorded],
    retries: 3,
  },
  async ({ event, step }) => {
    await step.sendEvent("wake", { name: "requests/approval.decided", data: event.data });
    await step.sleep("settle", ANNOUNCE_AGAIN_AFTER);
    await step.sendEvent("wake-again", { name: "requests/approval.decided", data: event.data });
  },
);

export const requestWorkflows = [...REQUEST_TYPES.map(requestWorkflow), announceDecision];

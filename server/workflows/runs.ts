/**
 * The Runs page's domain: a tenant's workflow runs as Tenet's engine records them, and what an owner or
 * admin may do about them. Every call names the caller's verified tenant to the engine, which answers
 * "not found" for another tenant's run; cancelling and rerunning are recorded in the audit log.
 */
import type { FunctionView, RunDetail, RunStatus, RunSummary } from "@/server/engine/api-schema";
import { sqlOf } from "@/server/db/sql";
import { cancelQueued } from "@/server/kernel/scheduler/store";
import { AppError } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import { canManageWorkflows } from "@/server/tenancy/roles";
import { embeddedEngine, engineFunctionId, inngest, workflowTarget } from "./client";
import { engineClient, type EngineClient, type RunsPage } from "./engine-client";
import { workflowsTestPing } from "./events";
import { FUNCTION_IDS } from "./functions/ids";

/** The engine's run ids are ULIDs. */
export const RUN_ID_PATTERN = /^[0-9A-Z]{26}$/;

export type RunFilter = {
  /** An engine function id, e.g. "tenet-workflows-test-ping". */
  function?: string;
  status?: RunStatus;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  limit?: number;
};

/** What the domain needs from outside: the engine's console API and a way to send events. */
export type WorkflowDeps = {
  engine: EngineClient;
  send: (event: ReturnType<typeof workflowsTestPing.create>) => Promise<{ ids: string[] }>;
};

export function defaultWorkflowDeps(): WorkflowDeps {
  return { engine: engineClient(), send: (event) => inngest.send(event) };
}

/**
 * The sentence shown when workflows go to Inngest's own servers (INNGEST_BASE_URL or INNGEST_DEV):
 * their runs are recorded there, not in Tenet's engine.
 */
export function externalEngineMessage(target: string | null = workflowTarget): string {
  return `Workflows are sent to ${target ?? "Inngest Cloud"} (INNGEST_BASE_URL or INNGEST_DEV), not to Tenet's engine; their runs are shown there.`;
}

function assertMayManage(ctx: TenantContext): void {
  if (!canManageWorkflows(ctx.actor.role)) {
    throw new AppError("FORBIDDEN", "Only owners and admins can see and manage workflow runs");
  }
  if (!embeddedEngine) throw new AppError("UNAVAILABLE", externalEngineMessage());
}

/** One page of the tenant's runs, newest first. */
export async function listRuns(
  ctx: TenantContext,
  filter: RunFilter,
  deps: Pick<WorkflowDeps, "engine"> = defaultWorkflowDeps(),
): Promise<RunsPage> {
  assertMayManage(ctx);
  return deps.engine.listRuns(ctx.tenantId, {
    function: filter.function,
    status: filter.status,
    from: filter.from?.toISOString(),
    to: filter.to?.toISOString(),
    cursor: filter.cursor,
    limit: filter.limit,
  });
}

/** One run with its trigger, output or error, steps and history. */
export async function getRun(
  ctx: TenantContext,
  runId: string,
  deps: Pick<WorkflowDeps, "engine"> = defaultWorkflowDeps(),
): Promise<RunDetail> {
  assertMayManage(ctx);
  return deps.engine.getRun(ctx.tenantId, runId);
}

/** Records what an owner or admin did to a run in the tenant's audit log. */
async function auditRunAction(
  ctx: TenantContext,
  action: "workflow.run_cancelled" | "workflow.run_rerun",
  run: Pick<RunSummary, "id" | "functionName">,
  detail: Record<string, string> = {},
): Promise<void> {
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action,
    resource: { type: "workflow_run", id: run.id, label: run.functionName },
    outcome: "succeeded",
    detail: { function: run.functionName, runId: run.id, ...detail },
  });
}

/** Stops a running run: no further step starts. A run that already ended is a conflict. */
export async function cancelRun(
  ctx: TenantContext,
  runId: string,
  deps: Pick<WorkflowDeps, "engine"> = defaultWorkflowDeps(),
): Promise<RunSummary> {
  assertMayManage(ctx);
  const run = await deps.engine.cancelRun(ctx.tenantId, runId);
  // Syscalls the run still has waiting in the kernel's queues go too (running ones finish).
  const removed = await cancelQueued(sqlOf(ctx.db), { tenantId: ctx.tenantId, runId });
  await auditRunAction(ctx, "workflow.run_cancelled", run, { queuedSyscallsRemoved: String(removed.length) });
  return run;
}

/** Starts a new run of the same function with the same events; the old run is left as it was. */
export async function rerunRun(
  ctx: TenantContext,
  runId: string,
  deps: Pick<WorkflowDeps, "engine"> = defaultWorkflowDeps(),
): Promise<{ runId: string }> {
  assertMayManage(ctx);
  // Read first: the audit entry names the function, and a foreign or unknown id stops here as not found.
  const run = await deps.engine.getRun(ctx.tenantId, runId);
  const rerun = await deps.engine.rerun(ctx.tenantId, runId);
  await auditRunAction(ctx, "workflow.run_rerun", run, { newRunId: rerun.runId });
  return rerun;
}

/**
 * The functions whose runs can belong to a tenant, for the list's filter: those with an event trigger
 * (a cron-only function, such as the nightly fan-out, runs for no tenant).
 */
export async function listWorkflowFunctions(
  ctx: TenantContext,
  deps: Pick<WorkflowDeps, "engine"> = defaultWorkflowDeps(),
): Promise<FunctionView[]> {
  assertMayManage(ctx);
  const functions = await deps.engine.listFunctions();
  return functions
    .filter((f) => f.triggers.some((t) => t.event !== undefined))
    .sort((a, b) => a.name.localeCompare(b.name, "en"));
}

/**
 * Sends `workflows/test.ping` for the caller's tenant and returns the run it started, so the page can
 * open it. The engine starts runs in the same transaction that accepts the event, so the run exists when
 * the send returns; with Inngest's own servers (no Runs page) `runId` would be null.
 */
export async function sendTestEvent(
  ctx: TenantContext,
  input: { message?: string },
  deps: WorkflowDeps = defaultWorkflowDeps(),
): Promise<{ eventId: string | null; runId: string | null }> {
  assertMayManage(ctx);
  const event = workflowsTestPing.create({ tenantId: ctx.tenantId, message: input.message });
  let ids: string[];
  try {
    ({ ids } = await deps.send(event));
  } catch (error) {
    // fetch reports a network failure as a TypeError; anything else is the engine's answer (a refused
    // event key, say), which the SDK turned into a one-line message.
    const message =
      error instanceof TypeError || !(error instanceof Error)
        ? `The workflow engine is not reachable at ${deps.engine.baseUrl}`
        : `The workflow engine at ${deps.engine.baseUrl} refused the test event: ${error.message.split("\n")[0]?.slice(0, 200) ?? ""}`;
    throw new AppError("UNAVAILABLE", message, { cause: error });
  }
  const eventId = ids[0] ?? null;
  if (!eventId) return { eventId, runId: null };
  const page = await deps.engine.listRuns(ctx.tenantId, {
    event: eventId,
    function: engineFunctionId(FUNCTION_IDS.testPing),
    limit: 1,
  });
  return { eventId, runId: page.runs[0]?.id ?? null };
}

/**
 * The Runs page's API, for owners and admins: thin over server/workflows/runs.ts, which asks Tenet's
 * workflow engine (always naming the caller's tenant, so another tenant's run id is "not found").
 */
import { z } from "zod";
import {
  cancelResponse,
  functionView,
  listRunsResponse,
  RUN_STATUSES,
  runDetail,
} from "@/server/engine/api-schema";
import { TEST_PING_MESSAGE_MAX } from "@/server/workflows/events";
import {
  cancelRun,
  getRun,
  listRuns,
  listWorkflowFunctions,
  rerunRun,
  RUN_ID_PATTERN,
  sendTestEvent,
} from "@/server/workflows/runs";
import { WORKFLOW_MANAGERS } from "@/server/tenancy/roles";
import { roleProcedure, router } from "../trpc";

const workflowProcedure = roleProcedure(WORKFLOW_MANAGERS);

// ─── Inputs ──────────────────────────────────────────────────────────────────────────────────────

const runId = z.string({ error: "Give a run id" }).regex(RUN_ID_PATTERN, "Not a valid run id");

const date = z
  .date({ error: "Not a valid date" })
  .min(new Date("2000-01-01T00:00:00Z"), "Choose a date from the year 2000 on")
  .max(new Date("9999-12-31T23:59:59Z"), "Choose a date before the year 10000");

const listInput = z
  .object({
    /** An engine function id, as `functions` lists them. */
    function: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, "Choose one of the workflow functions")
      .optional(),
    status: z.enum(RUN_STATUSES, `Choose one of: ${RUN_STATUSES.join(", ")}`).optional(),
    /** Inclusive. */
    from: date.optional(),
    /** Exclusive. */
    to: date.optional(),
    /** The `nextCursor` of the previous page (opaque; the engine made it). */
    cursor: z
      .string()
      .regex(/^[\x21-\x7e]{1,200}$/, "Not a valid page cursor")
      .nullish(),
    limit: z
      .number()
      .int("Ask for a whole number of runs")
      .min(1, "Ask for at least 1 run")
      .max(100, "Ask for 100 runs or fewer")
      .default(25),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    path: ["to"],
    message: "The end must not be before the start",
  });

// ─── Procedures ──────────────────────────────────────────────────────────────────────────────────

export const runsRouter = router({
  /** One page of the tenant's runs, newest first. */
  list: workflowProcedure
    .input(listInput)
    .output(listRunsResponse)
    .query(({ ctx, input }) => listRuns(ctx.scope, { ...input, cursor: input.cursor ?? undefined })),

  /** One run: its trigger, output or error, steps and history. */
  detail: workflowProcedure
    .input(z.object({ runId }))
    .output(runDetail)
    .query(({ ctx, input }) => getRun(ctx.scope, input.runId)),

  /** Stops a running run (recorded in the audit log). */
  cancel: workflowProcedure
    .input(z.object({ runId }))
    .output(cancelResponse.shape.run)
    .mutation(({ ctx, input }) => cancelRun(ctx.scope, input.runId)),

  /** Starts the run's function again with the same events (recorded in the audit log). */
  rerun: workflowProcedure
    .input(z.object({ runId }))
    .output(z.object({ runId: z.string() }))
    .mutation(({ ctx, input }) => rerunRun(ctx.scope, input.runId)),

  /** The functions a tenant's runs can belong to, for the list's filter. */
  functions: workflowProcedure
    .output(z.array(functionView))
    .query(({ ctx }) => listWorkflowFunctions(ctx.scope)),

  /** Sends `workflows/test.ping` for this tenant; `runId` is the run it started, when found in time. */
  sendTestEvent: workflowProcedure
    .input(
      z.object({
        message: z
          .string({ error: "The message must be text" })
          .trim()
          .max(TEST_PING_MESSAGE_MAX, `Keep the message to ${TEST_PING_MESSAGE_MAX} characters`)
          .optional(),
      }),
    )
    .output(z.object({ eventId: z.string().nullable(), runId: z.string().nullable() }))
    .mutation(({ ctx, input }) => sendTestEvent(ctx.scope, { message: input.message || undefined })),
});

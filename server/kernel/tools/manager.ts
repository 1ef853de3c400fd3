import { AppError } from "@/server/errors";
import { z } from "zod";
import type { ToolAction, ToolCallContext } from "./registry";

/**
 * Why a call did not produce a checked output: its input or output broke the action's schema, it
 * ran out of time, the driver threw, or it never got a turn (`busy`: no parallel slot, or an earlier
 * call with its idempotency key still running, within its time).
 */
/**
 * How a call failed. `refused`: the system of record said no (a driver's AppError: bad input, a
 * conflict, not found, forbidden), which trying again will not change; `failed` and `timeout` may pass.
 */
export type ToolFailure = "invalid-input" | "timeout" | "failed" | "refused" | "invalid-output" | "busy";

/** Failures worth trying again later: an outage, a slow system, a full parallel limit. */
export const RETRYABLE_FAILURES: readonly ToolFailure[] = ["timeout", "failed", "busy"];

const PERMANENT_CODES = new Set(["BAD_REQUEST", "CONFLICT", "NOT_FOUND", "FORBIDDEN"]);
const failureOf = (error: unknown): ToolOutcome => ({
  ok: false,
  kind: error instanceof AppError && PERMANENT_CODES.has(error.code) ? "refused" : "failed",
  error: messageOf(error),
});

export type ToolOutcome = { ok: true; output: unknown } | { ok: false; kind: ToolFailure; error: string };

const issues = (error: z.ZodError) => z.prettifyError(error).replace(/\n/g, "; ");

/** The input as the action's schema parses it, before anything is written or any driver sees it. */
export function checkInput(
  tool: ToolAction,
  input: unknown,
): { ok: true; input: unknown } | { ok: false; kind: "invalid-input"; error: string } {
  const parsed = tool.input.safeParse(input);
  return parsed.success
    ? { ok: true, input: parsed.data }
    : {
        ok: false,
        kind: "invalid-input",
        error: `Invalid input for ${tool.action}: ${issues(parsed.error)}`,
      };
}

/** A driver's answer (or a stored one being replayed) checked before anyone trusts it. */
export function checkOutput(tool: ToolAction, output: unknown): ToolOutcome {
  const checked = tool.output.safeParse(output);
  return checked.success
    ? { ok: true, output: checked.data }
    : { ok: false, kind: "invalid-output", error: `${tool.connector} returned ${issues(checked.error)}` };
}

/**
 * Runs one connector action on checked input, with a time limit, and checks the output. A driver's
 * exception becomes a failed outcome with its message; it never escapes into the caller's control
 * flow. On time out the driver's signal is aborted; a driver that ignores it may still finish later,
 * which is why leases outlive the time limit (registry.ts, leaseTtlMs).
 */
export async function runChecked(
  tool: ToolAction,
  input: unknown,
  ctx: Omit<ToolCallContext, "signal">,
): Promise<ToolOutcome> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ToolOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({
        ok: false,
        kind: "timeout",
        error: `${tool.action} did not finish within ${tool.timeoutMs} ms`,
      });
    }, tool.timeoutMs);
  });
  let call: Promise<ToolOutcome>;
  try {
    call = tool.run(input, { ...ctx, signal: controller.signal }).then(
      (output) => checkOutput(tool, output),
      failureOf,
    );
  } catch (error) {
    // A driver that throws before returning its promise.
    call = Promise.resolve(failureOf(error));
  }
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs `work` with a time limit, aborting its signal when the time is up; an exception or the limit
 * becomes `{ ok: false }` with a message. For a connector's dry runs and connection tests, which have
 * no output schema or lease to honour but must not hang a preview or a test.
 */
export async function withinTimeLimit<T>(
  limitMs: number,
  what: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: false; error: string }>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ ok: false, error: `${what} did not finish within ${limitMs} ms` });
    }, limitMs);
  });
  const attempt = (async () => {
    try {
      return { ok: true as const, value: await work(controller.signal) };
    } catch (error) {
      return { ok: false as const, error: messageOf(error) };
    }
  })();
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

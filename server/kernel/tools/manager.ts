import { z } from "zod";
import type { ToolAction, ToolCallContext } from "./registry";

export type ToolOutcome =
  | { ok: true; output: unknown }
  | { ok: false; kind: "invalid-input" | "timeout" | "failed" | "invalid-output"; error: string };

const issues = (error: z.ZodError) => z.prettifyError(error).replace(/\n/g, "; ");

/**
 * Runs one connector action for the kernel: input checked against the action's schema before the
 * driver sees it, a time limit, and the output checked before anyone trusts it. A driver's exception
 * becomes a failed outcome with its message; it never escapes into the caller's control flow.
 * Parallel limits, idempotency and leases join here with the scheduler (kernel README).
 */
export async function runTool(
  tool: ToolAction,
  input: unknown,
  ctx: Omit<ToolCallContext, "signal">,
): Promise<ToolOutcome> {
  const parsed = tool.input.safeParse(input);
  if (!parsed.success)
    return {
      ok: false,
      kind: "invalid-input",
      error: `Invalid input for ${tool.action}: ${issues(parsed.error)}`,
    };

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
  const call = tool.run(parsed.data, { ...ctx, signal: controller.signal }).then(
    (output): ToolOutcome => {
      const checked = tool.output.safeParse(output);
      return checked.success
        ? { ok: true, output: checked.data }
        : { ok: false, kind: "invalid-output", error: `${tool.connector} returned ${issues(checked.error)}` };
    },
    (error: unknown): ToolOutcome => ({
      ok: false,
      kind: "failed",
      error: error instanceof Error ? error.message : String(error),
    }),
  );
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

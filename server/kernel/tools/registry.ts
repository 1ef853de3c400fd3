import type { z } from "zod";
import { AppError } from "@/server/errors";
import { ACTION_INFO, type ActionName, type Effect } from "@/server/kernel/access/schema";

/** What a connector action gets besides its input: who it acts for, and a key to make retries safe. */
export type ToolCallContext = {
  tenantId: string;
  /** The kernel's id for this syscall; stable across retries of the same syscall. */
  syscallId: string;
  idempotencyKey: string | null;
  signal: AbortSignal;
};

/** One connector action as the kernel sees it: schemas, declared effect, and the driver's function. */
export type ToolAction<I = unknown, O = unknown> = {
  action: ActionName;
  connector: string;
  effect: Effect;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  timeoutMs: number;
  run: (input: I, ctx: ToolCallContext) => Promise<O>;
};

export type ToolRegistry = { find(action: ActionName): ToolAction | undefined; actions(): ActionName[] };

/**
 * The actions connectors provide, one connector per action. A connector that declares a different
 * effect than the kernel's action catalog is refused: the effect decides which approval gates apply,
 * so the two must never disagree.
 */
export function createToolRegistry(actions: readonly ToolAction[]): ToolRegistry {
  const byAction = new Map<ActionName, ToolAction>();
  for (const tool of actions) {
    const existing = byAction.get(tool.action);
    if (existing)
      throw new AppError(
        "INTERNAL",
        `${tool.action} is provided by both ${existing.connector} and ${tool.connector}`,
      );
    const declared = ACTION_INFO[tool.action].effect;
    if (tool.effect !== declared)
      throw new AppError(
        "INTERNAL",
        `${tool.connector} declares ${tool.action} as ${tool.effect}, but the kernel knows it as ${declared}`,
      );
    byAction.set(tool.action, tool);
  }
  return { find: (action) => byAction.get(action), actions: () => [...byAction.keys()] };
}

/** Generic over the tool's own types so a typed action can be put in a list of `ToolAction`. */
export function defineTool<I, O>(tool: ToolAction<I, O>): ToolAction {
  return {
    ...tool,
    run: (input, ctx) => tool.run(tool.input.parse(input), ctx),
  };
}

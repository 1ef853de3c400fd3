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

/**
 * A business object an action touches, e.g. `{ key: "room:r-401", from, to }` or
 * `{ key: "employee:u-7" }`. Keys are the tenant's, not the connector's: two connectors that touch
 * `room:r-401` contend for the same room. The interval is half-open, [from, to); a missing end is
 * open, so a claim with neither covers all time. Two claims conflict when their keys are equal and
 * their intervals overlap (leases.ts).
 */
export type LeaseClaim = { key: string; from?: Date; to?: Date };

/**
 * What a call does when a business object it claims is held by another call: `fail` returns a
 * conflict at once so the agent or workflow can re-plan, `wait` waits (up to `conflictWaitMs`) for
 * the holder to finish, `escalate` returns the conflict marked for an admin to resolve.
 */
export type ConflictPolicy = "fail" | "wait" | "escalate";

/** One connector action as the kernel sees it: schemas, declared effect, and the driver's function. */
export type ToolAction<I = unknown, O = unknown> = {
  action: ActionName;
  connector: string;
  effect: Effect;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  timeoutMs: number;
  run: (input: I, ctx: ToolCallContext) => Promise<O>;
  /** The business objects a call with this input touches; each is leased for the call's duration. */
  leases?: (input: I) => LeaseClaim[];
  /** Default "fail". */
  onConflict?: ConflictPolicy;
  /** With onConflict "wait": how long to wait for a holder before answering with the conflict. Default timeoutMs. */
  conflictWaitMs?: number;
  /**
   * How long a call's leases (and its claim on an idempotency key and a parallel slot) last unless it
   * ends first: what bounds the wait behind a holder whose process died. Default timeoutMs plus
   * LEASE_MARGIN_MS; it must exceed timeoutMs, or a slow but live call could lose its lease mid-effect.
   */
  leaseTtlMs?: number;
  /** At most this many calls of the action run at once per tenant, across all app processes. */
  maxParallel?: number;
};

/** The time a call has after its time limit to record its end before its leases lapse. */
export const LEASE_MARGIN_MS = 30_000;

export const leaseTtlOf = (tool: ToolAction) => tool.leaseTtlMs ?? tool.timeoutMs + LEASE_MARGIN_MS;

/** A connector's name is its folder under connectors/ and how the audit log and pages name it. */
export const CONNECTOR_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export type ToolRegistry = { find(action: ActionName): ToolAction | undefined; actions(): ActionName[] };

const positiveInt = (n: number | undefined) => n === undefined || (Number.isSafeInteger(n) && n > 0);

/** A declaration that the broker could not honour is a connector bug: refused when the build loads. */
function checkDeclaration(tool: ToolAction): void {
  const problem = (text: string) => new AppError("INTERNAL", `${tool.connector} ${tool.action}: ${text}`);
  if (!CONNECTOR_NAME.test(tool.connector))
    throw new AppError(
      "INTERNAL",
      `Connector name ${JSON.stringify(tool.connector)} must be lowercase letters, digits, ".", "_" or "-"`,
    );
  if (!positiveInt(tool.timeoutMs)) throw problem("timeoutMs must be a positive whole number of ms");
  if (!positiveInt(tool.maxParallel)) throw problem("maxParallel must be a positive whole number");
  if (!positiveInt(tool.conflictWaitMs))
    throw problem("conflictWaitMs must be a positive whole number of ms");
  if (tool.conflictWaitMs !== undefined && tool.onConflict !== "wait")
    throw problem('conflictWaitMs applies only with onConflict "wait"');
  if (!positiveInt(tool.leaseTtlMs) || leaseTtlOf(tool) <= tool.timeoutMs)
    throw problem(
      `leaseTtlMs must exceed timeoutMs (${tool.timeoutMs} ms), or a live call could lose its lease`,
    );
}

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
    checkDeclaration(tool);
    byAction.set(tool.action, tool);
  }
  return { find: (action) => byAction.get(action), actions: () => [...byAction.keys()] };
}

/** Generic over the tool's own types so a typed action can be put in a list of `ToolAction`. */
export function defineTool<I, O>(tool: ToolAction<I, O>): ToolAction {
  const { leases } = tool;
  return {
    ...tool,
    run: (input, ctx) => tool.run(tool.input.parse(input), ctx),
    leases: leases && ((input) => leases(tool.input.parse(input))),
  };
}

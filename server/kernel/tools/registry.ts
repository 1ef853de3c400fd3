import type { Approver } from "../access/approval";
import type { z } from "zod";
import type { Tx } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { ACTION_INFO, type ActionName, type Effect } from "@/server/kernel/access/schema";
import type { JsonValue } from "@/server/kernel/audit/canonical-json";

/**
 * The connection a call runs with: its non-secret settings and its decrypted credentials, for this one
 * call. The connector SDK's `DriverContext["connection"]` is this type (connectors/sdk.ts).
 */
export type ToolConnection = {
  id: string;
  config: Record<string, JsonValue>;
  credentials: Record<string, string>;
};

/**
 * Who a call acts for, as the kernel resolved and verified the principal: `userId` is the person (the
 * user who called, or the person the agent acts for), `agentId` the agent when an agent made the
 * call, `label` how people call them ("Alice", "Agent Room bot (for Alice)"). A driver acts as
 * `userId` and never as a person its input names: input is what the caller says, the actor is what
 * the kernel checked.
 */
export type ToolActor = {
  userId: string;
  agentId: string | null;
  label: string;
  /**
   * The approvals the kernel verified for this call (for a dry run: also those it would still need),
   * so a built-in domain can let an approved person do what its own role checks reserve for others,
   * e.g. a manager onboarding someone once an admin approved. Absent: none.
   */
  approvedBy?: readonly Approver[];
};

/** What a connector action gets besides its input: who it acts for, and a key to make retries safe. */
export type ToolCallContext = {
  tenantId: string;
  /** Who the call acts for (calls, dry runs and connection tests alike). */
  actor: ToolActor;
  /** The kernel's id for this syscall; stable across retries of the same syscall. */
  syscallId: string;
  idempotencyKey: string | null;
  signal: AbortSignal;
  /**
   * Runs `fn` in one transaction that sees only this tenant's rows (row-level security). In a dry run
   * the transaction is READ ONLY: PostgreSQL refuses any write in it.
   */
  tenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  /** The connection chosen for this call; null for built-in connectors, which take none. */
  connection: ToolConnection | null;
};

/** One change a write would make, as a dry run reports it (the SDK's `Change`). */
export type ToolChange = {
  op: "create" | "update" | "delete";
  object: string;
  fields?: Record<string, { from?: JsonValue; to?: JsonValue }>;
};

/** What a write would do, computed without doing it (the SDK's `DryRun`). */
export type ToolDryRun = { changes: ToolChange[]; warnings: string[] };

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
  /**
   * Whether a call needs one of the tenant's connections to this connector (`Syscall.connectionId`):
   * true for every connector but the built-in ones, which work on Tenet's own database.
   */
  needsConnection: boolean;
  /** One line for previews and the audit log, e.g. "Create account for bob@acme.com in Figma". */
  describe: (input: I) => string;
  /** The action (of the same connector) that undoes this one and its input, or false. */
  reversible: false | { by: ActionName; input: (input: I, output: O) => unknown };
  /** What the connection must be allowed to do, in the service's words ("users:write"). */
  scopes: readonly string[];
  /** What a call would change, computed without changing anything (kernel.preview). */
  dryRun?: (input: I, ctx: ToolCallContext) => Promise<ToolDryRun>;
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

/** A connector's shared limits: its pool (`connector:<id>`) is created with them. */
export type ToolRateLimits = {
  concurrency?: number;
  requestsPerMinute?: number;
  tenantRequestsPerMinute?: number;
};

/** A connector as a whole, for what is not one action's: its pool's limits and its connection test. */
export type ToolConnector = {
  id: string;
  rateLimits?: ToolRateLimits;
  /** One harmless authenticated request; resolves with what it found or throws with what went wrong. */
  test?: (ctx: ToolCallContext) => Promise<string>;
};

export type ToolRegistry = {
  find(action: ActionName): ToolAction | undefined;
  actions(): ActionName[];
  /** A connector by id, whether or not it declared anything beyond its actions. */
  connector(id: string): ToolConnector | undefined;
};

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

function checkRateLimits(connector: ToolConnector): void {
  const limits = connector.rateLimits ?? {};
  for (const [name, value] of Object.entries(limits))
    if (!positiveInt(value))
      throw new AppError("INTERNAL", `${connector.id}: rateLimits.${name} must be a positive whole number`);
}

/**
 * The actions connectors provide, one connector per action, and the connectors themselves (those not
 * listed in `connectors` are known by their actions alone). A connector that declares a different
 * effect than the kernel's action catalog is refused: the effect decides which approval gates apply,
 * so the two must never disagree. An action reversible by another must name one of the same
 * connector, so that undoing it needs no other connection.
 */
export function createToolRegistry(
  actions: readonly ToolAction[],
  connectors: readonly ToolConnector[] = [],
): ToolRegistry {
  const byAction = new Map<ActionName, ToolAction>();
  for (const tool of actions) {
    const existing = byAction.get(tool.action);
    if (existing)
      throw new AppError(
        "INTERNAL",
        `${tool.action} is provided by both ${existing.connector} and ${tool.connector}`,
      );
    if (!Object.hasOwn(ACTION_INFO, tool.action))
      throw new AppError(
        "INTERNAL",
        `${tool.connector} provides ${tool.action}, which the kernel does not know`,
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
  for (const tool of byAction.values()) {
    if (!tool.reversible) continue;
    const by = byAction.get(tool.reversible.by);
    if (by?.connector !== tool.connector)
      throw new AppError(
        "INTERNAL",
        `${tool.connector} ${tool.action}: reversible by ${tool.reversible.by}, which ${tool.connector} does not provide`,
      );
  }
  const byConnector = new Map<string, ToolConnector>();
  for (const tool of byAction.values())
    if (!byConnector.has(tool.connector)) byConnector.set(tool.connector, { id: tool.connector });
  for (const connector of connectors) {
    if (!CONNECTOR_NAME.test(connector.id))
      throw new AppError(
        "INTERNAL",
        `Connector name ${JSON.stringify(connector.id)} must be lowercase letters, digits, ".", "_" or "-"`,
      );
    checkRateLimits(connector);
    byConnector.set(connector.id, connector);
  }
  return {
    find: (action) => byAction.get(action),
    actions: () => [...byAction.keys()],
    connector: (id) => byConnector.get(id),
  };
}

/**
 * A tool as tests and benchmarks write one in a few lines: what connectors declare in their manifests
 * may be left out (no connection, the catalog's label as description, not reversible, no scopes).
 */
export type ToolSpec<I, O> = Omit<
  ToolAction<I, O>,
  "needsConnection" | "describe" | "reversible" | "scopes"
> &
  Partial<Pick<ToolAction<I, O>, "needsConnection" | "describe" | "reversible" | "scopes">>;

/**
 * Generic over the tool's own types so a typed action can be put in a list of `ToolAction`. Every
 * function of the tool gets its input parsed by the tool's schema, as the broker passes it.
 */
export function defineTool<I, O>(spec: ToolSpec<I, O>): ToolAction {
  const tool: ToolAction<I, O> = {
    needsConnection: false,
    describe: () => ACTION_INFO[spec.action].label,
    reversible: false,
    scopes: [],
    ...spec,
  };
  const { leases, dryRun, reversible } = tool;
  const parse = (input: unknown) => tool.input.parse(input);
  return {
    ...tool,
    run: (input, ctx) => tool.run(parse(input), ctx),
    describe: (input) => tool.describe(parse(input)),
    reversible: reversible && {
      by: reversible.by,
      input: (input, output) => reversible.input(parse(input), tool.output.parse(output)),
    },
    leases: leases && ((input) => leases(parse(input))),
    dryRun: dryRun && ((input, ctx) => dryRun(parse(input), ctx)),
  };
}

import type { z } from "zod";
import type { Tx } from "@/server/db/client";
import type { ActionName, Effect } from "@/server/kernel/access/schema";
import type { JsonValue } from "@/server/kernel/audit/canonical-json";
import type { ConflictPolicy, LeaseClaim, ToolActor } from "@/server/kernel/tools/registry";

/**
 * The connector SDK. A connector is one folder under connectors/: `manifest.ts` declares what it is
 * and what each of its actions does to the world; `driver.ts` does it. Manifests are plain data plus
 * schemas and pure functions, safe to import anywhere (pages list them); drivers are reached only
 * through the kernel (connectors/index.ts registers them, eslint.config.mjs forbids other imports).
 *
 * What a manifest declares is what the kernel relies on: the effect class decides which approval
 * gates apply (it must match the action catalog in server/kernel/access/schema.ts), the resource keys
 * become leases (two calls that claim `room:<id>` over overlapping times cannot both run), the
 * description and the driver's dry run are what an approver sees before saying yes.
 */

export type ConnectorCategory = "hr" | "it" | "facilities" | "finance" | "integration";

/** Credential values are strings: what an admin pastes into the form, encrypted at rest. */
export type Secrets = Record<string, string>;

/** A connection's settings that are not secret (base URL, allowlisted hosts, …): shown and editable. */
export type ConnectionConfig = Record<string, JsonValue>;

/**
 * How a connector reaches its system. `built-in` connectors work on the tenant's own data in Tenet's
 * database and take no connection. The others need a connection: credentials checked by
 * `credentials` (every field a string; forms are generated from the schema and its descriptions)
 * and non-secret settings checked by `config`.
 */
export type AuthSpec =
  | { type: "built-in" }
  | {
      type: "api_key" | "basic" | "bearer" | "oauth2_client_credentials";
      credentials: z.ZodType<Secrets>;
      config: z.ZodType<ConnectionConfig>;
    };

/** One action's declaration: the manifest's half. */
export type ActionSpec<I, O> = {
  action: ActionName;
  /** A short title for catalogs: "Provision an account". */
  title: string;
  effect: Effect;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  /**
   * Whether the effect can be undone, and how: the action (of the same connector) that compensates
   * it, and that action's input built from this call's input and output. `false` says it cannot be.
   */
  reversible: false | { by: ActionName; input(input: I, output: O): unknown };
  /** The business objects a call touches, leased for its duration (server/kernel/tools/leases.ts). */
  resources?(input: I): LeaseClaim[];
  /** Default "fail". */
  onConflict?: ConflictPolicy;
  conflictWaitMs?: number;
  leaseTtlMs?: number;
  /** What the connection must be allowed to do, in the service's words ("users:write"). */
  scopes: readonly string[];
  timeoutMs: number;
  /** At most this many calls at once per tenant, across all app processes. */
  maxParallel?: number;
  /** One line for previews and the audit log, e.g. "Create account for bob@acme.com in Figma". */
  describe(input: I): string;
};

/**
 * Any action, whatever its types: the functions above are methods, so a spec typed for its own
 * input still fits here (a manifest's record of actions is checked against this).
 */
export type AnyActionSpec = ActionSpec<unknown, unknown>;

/** The connector's shared limits: its kernel pool (`connector:<id>`) is created with them. */
export type RateLimits = {
  /** Calls in flight at once, all tenants. */
  concurrency?: number;
  requestsPerMinute?: number;
  tenantRequestsPerMinute?: number;
};

export type ConnectorManifest<A extends Record<string, AnyActionSpec>> = {
  /** The folder's name; also the connector pool's and the audit log's name for it. */
  id: string;
  /** Semver of the manifest; bumped when an action's schema or effect changes. */
  version: string;
  name: string;
  category: ConnectorCategory;
  description: string;
  auth: AuthSpec;
  rateLimits?: RateLimits;
  actions: A;
};

/**
 * Who a call acts for, as the kernel verified it: the person (`userId`: the user who called, or the
 * person an agent acts for), the agent if one made the call, and how people call them. A driver acts
 * as `userId`: a person named in the input (an approver, a booker) is a claim, never who acts.
 */
export type DriverActor = ToolActor;

/**
 * What a driver gets for one call. `actor` is who the call acts for. `tenant` runs a transaction that sees only this tenant's rows
 * (row-level security), for built-in connectors; `connection` carries an external connector's settings
 * and decrypted credentials for this call only: a driver must not keep, log or return them.
 */
export type DriverContext = {
  tenantId: string;
  actor: DriverActor;
  /** The kernel's id for this syscall; stable across retries of the same syscall. */
  syscallId: string;
  idempotencyKey: string | null;
  signal: AbortSignal;
  tenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  connection: { id: string; config: ConnectionConfig; credentials: Secrets } | null;
};

/** One change a write would make, for previews: "create account bob@acme.com", "update status". */
export type Change = {
  op: "create" | "update" | "delete";
  /** What is changed, in people's words: "Figma account bob@acme.com". */
  object: string;
  fields?: Record<string, { from?: JsonValue; to?: JsonValue }>;
};

/** What a write would do, computed without doing it. `warnings` are things an approver should know. */
export type DryRun = { changes: Change[]; warnings: string[] };

/** One action's implementation: the driver's half. Every write and destructive action has a dry run. */
export type ActionDriver<I, O> = {
  run: (input: I, ctx: DriverContext) => Promise<O>;
  dryRun?: (input: I, ctx: DriverContext) => Promise<DryRun>;
};

type InputOf<S extends AnyActionSpec> = z.output<S["input"]>;
type OutputOf<S extends AnyActionSpec> = z.output<S["output"]>;

export type DriverFor<A extends Record<string, AnyActionSpec>> = {
  [K in keyof A]: ActionDriver<InputOf<A[K]>, OutputOf<A[K]>>;
};

/** Keeps an action's input and output types together while the manifest's record is built. */
export const defineAction = <I, O>(spec: ActionSpec<I, O>): ActionSpec<I, O> => spec;

export const defineManifest = <A extends Record<string, AnyActionSpec>>(
  manifest: ConnectorManifest<A>,
): ConnectorManifest<A> => manifest;

/**
 * A connector's driver: its actions, and for connectors that take a connection, `test`, which makes
 * one harmless authenticated request and says what it found ("Signed in to Figma's SCIM API as …"),
 * or throws with what went wrong. The Connectors page's "Test connection" runs it through the kernel.
 */
export type ConnectorDriver<A extends Record<string, AnyActionSpec>> = {
  actions: DriverFor<A>;
  test?: (ctx: DriverContext) => Promise<string>;
};

export const defineDriver = <A extends Record<string, AnyActionSpec>>(
  _manifest: ConnectorManifest<A>,
  actions: DriverFor<A>,
  options: { test?: (ctx: DriverContext) => Promise<string> } = {},
): ConnectorDriver<A> => ({ actions, ...options });

import { AppError } from "@/server/errors";
import { ACTION_INFO, EFFECTS } from "@/server/kernel/access/schema";
import {
  CONNECTOR_NAME,
  createToolRegistry,
  type ToolAction,
  type ToolConnector,
  type ToolRegistry,
} from "@/server/kernel/tools/registry";
import { bambooHrDriver } from "./bamboohr/driver";
import { CONNECTOR_MANIFESTS, type AnyConnectorManifest } from "./catalog";
import { facilitiesDriver } from "./facilities/driver";
import { financeDriver } from "./finance/driver";
import { hrisDriver } from "./hris/driver";
import { httpDriver } from "./http/driver";
import { itDriver } from "./it/driver";
import { scimDriver } from "./scim/driver";
import { webhooksDriver } from "./webhooks/driver";
import type { AnyActionSpec, ConnectorDriver, ConnectorManifest, DriverContext, DryRun } from "./sdk";

/**
 * The installed connectors: each manifest of connectors/catalog.ts paired with its driver. This is
 * the one module that imports drivers (eslint.config.mjs); the platform's kernel
 * (server/platform/kernel.ts) executes from `installedTools`, built from it. Every connector is
 * checked when the registry is built, so a connector that breaks the rules stops the app from
 * starting rather than misbehaving later:
 *
 * - it is filed under its manifest's id, a valid connector name, and it is the catalog's manifest;
 * - a connector that is not built-in declares its credential and config schemas;
 * - its driver implements exactly the manifest's actions;
 * - every action is one the kernel knows, with the kernel's effect;
 * - every write or destructive action has a dry run (what approvers see before saying yes);
 * - an action reversible by another names an action of the same connector.
 */

/** A manifest and its driver, typed together: the driver implements exactly the manifest's actions. */
export type RegisteredConnector<A extends Record<string, AnyActionSpec>> = {
  manifest: ConnectorManifest<A>;
  driver: ConnectorDriver<A>;
};

export const connector = <A extends Record<string, AnyActionSpec>>(
  manifest: ConnectorManifest<A>,
  driver: ConnectorDriver<A>,
): RegisteredConnector<A> => ({ manifest, driver });

type Catalog = typeof CONNECTOR_MANIFESTS;

/** Keys must be exactly the catalog's (`satisfies`): a manifest without a driver does not compile. */
export const CONNECTORS = {
  hris: connector(CONNECTOR_MANIFESTS.hris, hrisDriver),
  bamboohr: connector(CONNECTOR_MANIFESTS.bamboohr, bambooHrDriver),
  scim: connector(CONNECTOR_MANIFESTS.scim, scimDriver),
  it: connector(CONNECTOR_MANIFESTS.it, itDriver),
  facilities: connector(CONNECTOR_MANIFESTS.facilities, facilitiesDriver),
  finance: connector(CONNECTOR_MANIFESTS.finance, financeDriver),
  http: connector(CONNECTOR_MANIFESTS.http, httpDriver),
  webhooks: connector(CONNECTOR_MANIFESTS.webhooks, webhooksDriver),
} satisfies { [K in keyof Catalog]: RegisteredConnector<Catalog[K]["actions"]> };

/**
 * Any driver as the kernel calls it: inputs arrive parsed by the action's schema, so each driver's
 * own input type holds (methods, so that typed drivers fit here).
 */
export type AnyConnectorDriver = {
  actions: Record<
    string,
    {
      run(input: unknown, ctx: DriverContext): Promise<unknown>;
      dryRun?(input: unknown, ctx: DriverContext): Promise<DryRun>;
    }
  >;
  test?(ctx: DriverContext): Promise<string>;
};

export type AnyRegisteredConnector = { manifest: AnyConnectorManifest; driver: AnyConnectorDriver };

/** The kernel's view of a connector's actions (server/kernel/tools/registry.ts). */
export function toToolActions(manifest: AnyConnectorManifest, driver: AnyConnectorDriver): ToolAction[] {
  const needsConnection = manifest.auth.type !== "built-in";
  return Object.entries(manifest.actions).map(([key, spec]): ToolAction => {
    const impl = driver.actions[key];
    if (!impl) throw problem(manifest.id, `the driver does not implement ${key} (${spec.action})`);
    const { reversible } = spec;
    return {
      action: spec.action,
      connector: manifest.id,
      effect: spec.effect,
      input: spec.input,
      output: spec.output,
      timeoutMs: spec.timeoutMs,
      run: (input, ctx) => impl.run(input, ctx),
      needsConnection,
      describe: (input) => spec.describe(input),
      reversible: reversible && {
        by: reversible.by,
        input: (input, output) => reversible.input(input, output),
      },
      scopes: spec.scopes,
      ...(impl.dryRun && {
        dryRun: (input: unknown, ctx: DriverContext) => impl.dryRun?.(input, ctx) ?? noDryRun(),
      }),
      ...(spec.resources && { leases: (input: unknown) => spec.resources?.(input) ?? [] }),
      ...(spec.onConflict !== undefined && { onConflict: spec.onConflict }),
      ...(spec.conflictWaitMs !== undefined && { conflictWaitMs: spec.conflictWaitMs }),
      ...(spec.leaseTtlMs !== undefined && { leaseTtlMs: spec.leaseTtlMs }),
      ...(spec.maxParallel !== undefined && { maxParallel: spec.maxParallel }),
    };
  });
}

const noDryRun = (): Promise<DryRun> => Promise.reject(new Error("The driver has no dry run"));

const problem = (id: string, text: string) => new AppError("INTERNAL", `Connector ${id}: ${text}`);

const isSchema = (value: unknown) =>
  typeof value === "object" &&
  value !== null &&
  "safeParse" in value &&
  typeof value.safeParse === "function";

/** The rules above that are a connector's own; the registry checks what spans connectors. */
export function checkConnector(
  key: string,
  { manifest, driver }: AnyRegisteredConnector,
  catalog: Readonly<Record<string, AnyConnectorManifest>>,
): void {
  if (!CONNECTOR_NAME.test(manifest.id))
    throw problem(manifest.id, 'its id must be lowercase letters, digits, ".", "_" or "-"');
  if (manifest.id !== key) throw problem(manifest.id, `it is registered under ${JSON.stringify(key)}`);
  if (catalog[key] !== manifest)
    throw problem(manifest.id, "its manifest is not the one in connectors/catalog.ts");
  if (
    manifest.auth.type !== "built-in" &&
    !(isSchema(manifest.auth.credentials) && isSchema(manifest.auth.config))
  )
    throw problem(manifest.id, `${manifest.auth.type} connectors declare credential and config schemas`);
  const provided = new Set(Object.values(manifest.actions).map((spec) => spec.action));
  for (const key of Object.keys(driver.actions))
    if (!Object.hasOwn(manifest.actions, key))
      throw problem(manifest.id, `the driver has ${key}, which the manifest does not declare`);
  for (const [name, spec] of Object.entries(manifest.actions)) {
    if (!Object.hasOwn(ACTION_INFO, spec.action))
      throw problem(manifest.id, `${name}: ${spec.action} is not an action the kernel knows`);
    if (!EFFECTS.includes(spec.effect) || spec.effect !== ACTION_INFO[spec.action].effect)
      throw problem(
        manifest.id,
        `${name}: declares ${spec.action} as ${spec.effect}, but the kernel knows it as ${ACTION_INFO[spec.action].effect}`,
      );
    const impl = driver.actions[name];
    if (typeof impl?.run !== "function")
      throw problem(manifest.id, `the driver does not implement ${name} (${spec.action})`);
    if (spec.effect !== "read" && typeof impl.dryRun !== "function")
      throw problem(manifest.id, `${name}: ${spec.action} is a ${spec.effect} action without a dry run`);
    if (spec.reversible && !provided.has(spec.reversible.by))
      throw problem(
        manifest.id,
        `${name}: reversible by ${spec.reversible.by}, which this connector does not provide`,
      );
  }
}

/** The kernel's registry over `connectors`, each checked first. */
export function buildToolRegistry(
  connectors: Readonly<Record<string, AnyRegisteredConnector>>,
  catalog: Readonly<Record<string, AnyConnectorManifest>>,
): ToolRegistry {
  for (const key of Object.keys(catalog))
    if (!Object.hasOwn(connectors, key))
      throw problem(key, "its manifest has no driver in connectors/index.ts");
  const actions: ToolAction[] = [];
  const whole: ToolConnector[] = [];
  for (const [key, registered] of Object.entries(connectors)) {
    checkConnector(key, registered, catalog);
    const { manifest, driver } = registered;
    actions.push(...toToolActions(manifest, driver));
    whole.push({
      id: manifest.id,
      ...(manifest.rateLimits && { rateLimits: manifest.rateLimits }),
      ...(driver.test && {
        test: (ctx: DriverContext) => driver.test?.(ctx) ?? Promise.reject(new Error("No test")),
      }),
    });
  }
  return createToolRegistry(actions, whole);
}

/**
 * The connector actions installed in this build: the one registry the production kernel executes
 * from. A syscall of an action no connector provides is audited as failed, never faked.
 */
export const installedTools: ToolRegistry = buildToolRegistry(CONNECTORS, CONNECTOR_MANIFESTS);

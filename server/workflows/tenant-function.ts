/**
 * The one way to define a workflow that works for a tenant. Every such function gets a concurrency limit
 * keyed by the event's tenant, so a tenant with a thousand queued runs delays only itself: the engine
 * keeps one queue per key and starts at most `runsPerTenant` runs of the function per tenant at once.
 * The SDK sends the setting to the engine when it syncs (docs/engine-protocol.md §2.3, `concurrency`).
 */
import { inngest } from "./client";

/** The concurrency key: the tenant every Tenet event carries (events.ts). */
export const TENANT_CONCURRENCY_KEY = "event.data.tenantId";

type CreateFunction = typeof inngest.createFunction;

/** What the SDK accepts as `triggers`: one trigger or several. */
function triggerList(triggers: unknown): unknown[] {
  if (triggers === undefined) return [];
  return Array.isArray(triggers) ? triggers : [triggers];
}

/**
 * `createTenantFunction({ runsPerTenant })(options, handler)` is `inngest.createFunction` with the
 * tenant-keyed concurrency added. Its triggers must be events (a cron run belongs to no tenant; give
 * it its own function that fans out one event per tenant), and it must not set `concurrency` itself.
 */
export function createTenantFunction({ runsPerTenant }: { runsPerTenant: number }): CreateFunction {
  if (!Number.isInteger(runsPerTenant) || runsPerTenant < 1) {
    throw new Error(`createTenantFunction: runsPerTenant must be a positive integer, not ${runsPerTenant}`);
  }
  return (options, handler) => {
    const triggers = triggerList(options.triggers);
    if (
      triggers.length === 0 ||
      triggers.some((t) => typeof t !== "object" || t === null || !("event" in t))
    ) {
      throw new Error(`Tenant workflow ${options.id}: every trigger must be an event that carries tenantId`);
    }
    if (options.concurrency !== undefined) {
      throw new Error(`Tenant workflow ${options.id}: concurrency is set by createTenantFunction`);
    }
    return inngest.createFunction(
      { ...options, concurrency: { key: TENANT_CONCURRENCY_KEY, limit: runsPerTenant } },
      handler,
    );
  };
}

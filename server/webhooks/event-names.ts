import { z } from "zod";

/** `domain/noun.verb` (the verb may have parts: `audit/chain.verify.requested`), as the migration checks. */
export const EVENT_NAME_PATTERN =
  /^[a-z][a-z0-9-]{0,39}\/[a-z][a-z0-9_-]{0,39}(\.[a-z][a-z0-9_-]{0,39}){1,3}$/;

/**
 * Domains of Tenet's own events. An endpoint is addressed by anyone holding its secret, who must not be
 * able to pose as the platform (start an audit verification, a test ping, …), so endpoints emit only
 * the tenant's own domains.
 */
export const RESERVED_EVENT_DOMAINS = ["audit", "engine", "inngest", "kernel", "tenet", "workflows"] as const;

export const eventNameSchema = z
  .string()
  .trim()
  .regex(EVENT_NAME_PATTERN, "Name the event domain/noun.verb in lowercase, e.g. webhook/github.received");

export const inboundEventNameSchema = eventNameSchema.refine(
  (name) => !(RESERVED_EVENT_DOMAINS as readonly string[]).includes(name.split("/")[0] ?? ""),
  `Events of the platform's own domains (${RESERVED_EVENT_DOMAINS.join(", ")}) cannot come from a webhook`,
);

/**
 * What an outbound subscription takes: an exact event name, a whole domain (`it/*`), or `*`.
 */
export const eventFilterSchema = z
  .string()
  .trim()
  .refine(
    (f) => f === "*" || /^[a-z][a-z0-9-]{0,39}\/\*$/.test(f) || EVENT_NAME_PATTERN.test(f),
    "Use an event name (it/device.assigned), a domain (it/*) or * for every event",
  );

export function eventMatches(filters: readonly string[], event: string): boolean {
  return filters.some(
    (f) => f === "*" || f === event || (f.endsWith("/*") && event.startsWith(f.slice(0, -1))),
  );
}

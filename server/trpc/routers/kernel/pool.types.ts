import { z } from "zod";
import { POOL_KINDS } from "@/server/kernel/scheduler/pools";
import { POLICIES } from "@/server/kernel/scheduler/policy";
import { POOL_ID } from "@/server/kernel/scheduler/store";

/** A pool id as the pools list gives them ("model:default", "connector:okta"). */
export const poolIdInput = z
  .string({ error: "Choose a resource pool" })
  .regex(POOL_ID, "Not a resource pool id");

/**
 * A pool as the page shows it. Limits are not range-checked on the way out: they were checked on the
 * way in, and a value the database holds must never turn a read into an error.
 */
export const poolView = z.object({
  id: z.string(),
  label: z.string(),
  kind: z.enum(POOL_KINDS),
  policy: z.enum(POLICIES),
  concurrency: z.number(),
  requestsPerMinute: z.number().nullable(),
  tokensPerMinute: z.number().nullable(),
  tenantConcurrency: z.number().nullable(),
  tenantRequestsPerMinute: z.number().nullable(),
  tenantTokensPerMinute: z.number().nullable(),
  agingPerSecond: z.number(),
  defaultDeadlineMs: z.number(),
  version: z.number(),
  pausedUntil: z.date().nullable(),
  rateLimitedTotal: z.number(),
  retriesTotal: z.number(),
  updatedAt: z.date(),
});

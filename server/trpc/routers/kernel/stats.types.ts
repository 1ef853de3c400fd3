import { z } from "zod";
import { poolIdInput } from "./pool.types";

/** The windows the page offers, in minutes. */
export const STATS_WINDOWS = [5, 15, 60] as const;

export const statsInput = z.object({
  poolId: poolIdInput,
  windowMinutes: z.literal(STATS_WINDOWS, `Choose a window of ${STATS_WINDOWS.join(", ")} minutes`),
});

const ms = z.number().nullable();

export const statsOutput = z.object({
  poolId: z.string(),
  windowMinutes: z.number(),
  queued: z.number(),
  running: z.number(),
  throughputPerMinute: z.number(),
  fairness: z.number().nullable(),
  tenants: z.array(
    z.object({
      tenantId: z.string(),
      name: z.string(),
      weight: z.number(),
      queued: z.number(),
      running: z.number(),
      served: z.number(),
      waitP50Ms: ms,
      waitP95Ms: ms,
      waitP99Ms: ms,
    }),
  ),
  series: z.array(z.object({ minute: z.date(), granted: z.number(), waitP95Ms: ms, queueDepth: z.number() })),
});

import { z } from "zod";
import { MAX_RECENT_CALLS } from "@/server/connections/catalog-view";
import { ACTION_NAMES } from "@/server/kernel/access/schema";
import { AUDIT_ACTOR_TYPES, AUDIT_OUTCOMES } from "@/server/kernel/audit/entry";
import { connectorIdInput } from "./connector.types";

export const recentCallsInput = z.object({
  connectorId: connectorIdInput,
  limit: z
    .number({ error: "Give the number of calls as a number" })
    .int("Use a whole number")
    .min(1, "Ask for at least 1 call")
    .max(MAX_RECENT_CALLS, `Ask for ${MAX_RECENT_CALLS} calls or fewer`)
    .default(20),
});

export const recentCallsOutput = z.object({
  calls: z.array(
    z.object({
      seq: z.string(),
      at: z.date(),
      actor: z.object({ type: z.enum(AUDIT_ACTOR_TYPES), label: z.string() }),
      onBehalfOf: z.string().nullable(),
      action: z.enum(ACTION_NAMES).nullable(),
      title: z.string().nullable(),
      outcome: z.enum(AUDIT_OUTCOMES),
      description: z.string(),
      connectionId: z.string().nullable(),
      error: z.string().nullable(),
      durationMs: z.number().nullable(),
    }),
  ),
});

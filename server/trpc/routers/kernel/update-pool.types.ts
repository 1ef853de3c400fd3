import { z } from "zod";
import { poolSettingsSchema } from "@/server/kernel/scheduler/pools";
import { poolIdInput } from "./pool.types";

export const updatePoolInput = z.object({
  id: poolIdInput,
  /** The version the operator's form was filled from: a save over someone else's change is refused. */
  version: z
    .number({ error: "Give the pool's version" })
    .int("Not a version number")
    .min(1, "Versions start at 1"),
  settings: poolSettingsSchema,
});

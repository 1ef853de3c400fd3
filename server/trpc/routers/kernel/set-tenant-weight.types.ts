import { z } from "zod";
import { tenantWeightSchema } from "@/server/kernel/scheduler/pools";
import { poolIdInput } from "./pool.types";

export const setTenantWeightInput = z.object({
  poolId: poolIdInput,
  tenantId: z.uuid("Not a valid tenant id"),
  weight: tenantWeightSchema,
});

export const setTenantWeightOutput = z.object({ weight: z.number() });

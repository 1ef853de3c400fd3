import { z } from "zod";
import { poolView } from "./pool.types";

export const poolsOutput = z.object({
  pools: z.array(poolView),
  /** Whether the caller is one of the platform's operators, who may change the pools. */
  canEdit: z.boolean(),
});

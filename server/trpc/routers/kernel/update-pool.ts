import { updatePool as update } from "@/server/kernel/scheduler/pools";
import { poolView } from "./pool.types";
import { kernelProcedure } from "./procedure";
import { updatePoolInput } from "./update-pool.types";

/** Changes a pool's policy and limits (operators only; recorded in the operator tenant's audit log). */
export const updatePool = kernelProcedure
  .input(updatePoolInput)
  .output(poolView)
  .mutation(({ ctx, input }) => update(ctx.scope, input));

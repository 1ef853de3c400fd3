import { poolStats } from "@/server/kernel/scheduler/stats";
import { kernelProcedure } from "./procedure";
import { statsInput, statsOutput } from "./stats.types";

/**
 * A pool's live numbers over the window: every tenant's for operators, the caller's own tenant's for
 * everyone else (the domain filters).
 */
export const stats = kernelProcedure
  .input(statsInput)
  .output(statsOutput)
  .query(({ ctx, input }) => poolStats(ctx.scope, input));

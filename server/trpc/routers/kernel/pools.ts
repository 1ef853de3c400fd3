import { listPools } from "@/server/kernel/scheduler/pools";
import { kernelProcedure } from "./procedure";
import { poolsOutput } from "./pools.types";

/** Every resource pool with its policy and limits, and whether the caller may change them. */
export const pools = kernelProcedure.output(poolsOutput).query(({ ctx }) => listPools(ctx.scope));

import { setTenantWeight as setWeight } from "@/server/kernel/scheduler/pools";
import { kernelProcedure } from "./procedure";
import { setTenantWeightInput, setTenantWeightOutput } from "./set-tenant-weight.types";

/** A tenant's weight in a pool under weighted fair share (operators only; audited). */
export const setTenantWeight = kernelProcedure
  .input(setTenantWeightInput)
  .output(setTenantWeightOutput)
  .mutation(async ({ ctx, input }) => {
    await setWeight(ctx.scope, input);
    return { weight: input.weight };
  });

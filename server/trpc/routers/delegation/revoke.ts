import { revokeDelegation } from "@/server/kernel/access/delegations";
import { tenantProcedure } from "../../trpc";
import { revokeInput, revokeOutput } from "./revoke.types";

/** Ends a delegation at once (its delegator, its creator, or an owner or admin). */
export const revoke = tenantProcedure
  .input(revokeInput)
  .output(revokeOutput)
  .mutation(({ ctx, input }) => revokeDelegation(ctx.scope, input));

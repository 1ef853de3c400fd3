import { createDelegation } from "@/server/kernel/access/delegations";
import { tenantProcedure } from "../../trpc";
import { createInput, createOutput } from "./create.types";

/** Lets another member approve in the viewer's place while they are away. */
export const create = tenantProcedure
  .input(createInput)
  .output(createOutput)
  .mutation(({ ctx, input }) => createDelegation(ctx.scope, { ...input, reason: "out_of_office" }));

import { listDelegations } from "@/server/kernel/access/delegations";
import { tenantProcedure } from "../../trpc";
import { listInput, listOutput } from "./list.types";

/** Delegations from or to the viewer, newest first; owners and admins may ask for the tenant's. */
export const list = tenantProcedure
  .input(listInput)
  .output(listOutput)
  .query(({ ctx, input }) => listDelegations(ctx.scope, { all: input?.all }));

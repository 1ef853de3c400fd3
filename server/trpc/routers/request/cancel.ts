import { cancelRequest } from "@/server/requests/requests";
import { tenantProcedure } from "../../trpc";
import { cancelInput, cancelOutput } from "./cancel.types";
import { workflowDeps } from "./deps";

/** Cancels a request before its work starts (its requester, or an owner or admin). */
export const cancel = tenantProcedure
  .input(cancelInput)
  .output(cancelOutput)
  .mutation(({ ctx, input }) =>
    cancelRequest(ctx.db, { tenantId: ctx.scope.tenantId, actor: ctx.scope.actor }, workflowDeps, input),
  );

import { submitRequest } from "@/server/requests/requests";
import { tenantProcedure } from "../../trpc";
import { workflowDeps } from "./deps";
import { submitInput, submitOutput } from "./submit.types";

/**
 * Files a request and starts its workflow. The domain commits the request in its own transaction before
 * it tells the engine, so the workflow never looks for a request that is not there yet.
 */
export const submit = tenantProcedure
  .input(submitInput)
  .output(submitOutput)
  .mutation(({ ctx, input }) =>
    submitRequest(ctx.db, { tenantId: ctx.scope.tenantId, actor: ctx.scope.actor }, workflowDeps, input),
  );

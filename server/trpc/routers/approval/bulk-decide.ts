import { bulkDecide as bulkDecideTasks } from "@/server/requests/approvals";
import { workflowDeps } from "../request/deps";
import { bulkDecideInput, bulkDecideOutput } from "./bulk-decide.types";
import { memberProcedure, scopeOf } from "./procedure";

/** Approves several at once where their rules allow; each succeeds or fails on its own, with the reason. */
export const bulkDecide = memberProcedure
  .input(bulkDecideInput)
  .output(bulkDecideOutput)
  .mutation(({ ctx, input }) => bulkDecideTasks(ctx.db, scopeOf(ctx.scope), workflowDeps, input));

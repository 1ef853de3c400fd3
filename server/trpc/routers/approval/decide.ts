import { decide as decideTask } from "@/server/requests/approvals";
import { workflowDeps } from "../request/deps";
import { decideInput, decideOutput } from "./decide.types";
import { memberProcedure, scopeOf } from "./procedure";

/** Approves or denies one approval from the inbox (a comment is required to deny where the rule says). */
export const decide = memberProcedure
  .input(decideInput)
  .output(decideOutput)
  .mutation(({ ctx, input }) => decideTask(ctx.db, scopeOf(ctx.scope), workflowDeps, input));

import { reassign as reassignTask } from "@/server/requests/approvals";
import { managerProcedure, scopeOf } from "./procedure";
import { reassignInput, reassignOutput } from "./reassign.types";

/** Hands one of an open approval's people's say to someone else (owners and admins). */
export const reassign = managerProcedure
  .input(reassignInput)
  .output(reassignOutput)
  .mutation(({ ctx, input }) => reassignTask(ctx.db, scopeOf(ctx.scope), input));

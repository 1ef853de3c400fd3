import { deleteConnection as remove } from "@/server/connections/connections";
import { deleteConnectionInput, deleteConnectionOutput } from "./delete-connection.types";
import { connectionsProcedure } from "./procedure";

/** Deletes a connection and its credentials (audited). */
export const deleteConnection = connectionsProcedure
  .input(deleteConnectionInput)
  .output(deleteConnectionOutput)
  .mutation(({ ctx, input }) => remove(ctx.scope, input.connectionId));

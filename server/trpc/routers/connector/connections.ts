import { listConnections } from "@/server/connections/connections";
import { connectionsInput, connectionsOutput } from "./connections.types";
import { connectionsProcedure } from "./procedure";

/** The tenant's connections (to one connector, when given), with their status and credentials' hint. */
export const connections = connectionsProcedure
  .input(connectionsInput)
  .output(connectionsOutput)
  .query(({ ctx, input }) => listConnections(ctx.scope, { connectorId: input.connectorId }));

import { getConnection } from "@/server/connections/connections";
import { kernel } from "@/server/platform/kernel";
import { connectionsProcedure } from "./procedure";
import { testConnectionInput, testConnectionOutput } from "./test-connection.types";

/**
 * Runs the connector's own connection test through the kernel, as the signed-in person: the kernel
 * records the result in the connection's status and in the audit log. The connection is looked up in
 * the caller's tenant first, so another tenant's id is not found before the kernel is asked anything.
 */
export const testConnection = connectionsProcedure
  .input(testConnectionInput)
  .output(testConnectionOutput)
  .mutation(async ({ ctx, input }) => {
    const connection = await getConnection(ctx.scope, input.connectionId);
    return kernel.testConnection(
      { tenantId: ctx.scope.tenantId, principal: { type: "user", userId: ctx.scope.actor.userId } },
      connection.id,
    );
  });

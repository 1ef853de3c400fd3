import { createApp as create } from "@/server/it/access-catalog";
import { createAppInput, createAppOutput } from "./create-app.types";
import { catalogManagerProcedure } from "./procedure";

/** A new app; a name in use is a conflict, a connection that is not one of the tenant's SCIM ones is bad input. */
export const createApp = catalogManagerProcedure
  .input(createAppInput)
  .output(createAppOutput)
  .mutation(({ ctx, input }) => create(ctx.scope, input));

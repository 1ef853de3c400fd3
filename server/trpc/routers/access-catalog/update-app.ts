import { updateApp as update } from "@/server/it/access-catalog";
import { catalogManagerProcedure } from "./procedure";
import { updateAppInput, updateAppOutput } from "./update-app.types";

/** Renames, redescribes, reconnects, archives or unarchives an app; another tenant's app is not found. */
export const updateApp = catalogManagerProcedure
  .input(updateAppInput)
  .output(updateAppOutput)
  .mutation(({ ctx, input }) => update(ctx.scope, input));

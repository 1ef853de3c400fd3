import { connectionSchemasIn } from "@/server/connections/catalog-view";
import { updateConnectionConfig } from "@/server/connections/connections";
import { connectionView } from "./connector.types";
import { installedManifests } from "./manifests";
import { connectionsProcedure } from "./procedure";
import { updateConfigInput } from "./update-config.types";

/** Replaces a connection's non-secret settings (checked by its connector; audited). */
export const updateConfig = connectionsProcedure
  .input(updateConfigInput)
  .output(connectionView)
  .mutation(({ ctx, input }) =>
    updateConnectionConfig(
      ctx.scope,
      input.connectionId,
      input.config,
      connectionSchemasIn(installedManifests()),
    ),
  );

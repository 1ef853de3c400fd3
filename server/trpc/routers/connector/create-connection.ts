import { connectionSchemasIn } from "@/server/connections/catalog-view";
import { createConnection as create } from "@/server/connections/connections";
import { connectionView } from "./connector.types";
import { createConnectionInput } from "./create-connection.types";
import { installedManifests } from "./manifests";
import { connectionsProcedure } from "./procedure";

/**
 * A new connection to a connector, its credentials encrypted at rest. The answer carries only their
 * hint: the credentials are shown once, as they are typed, and never again.
 */
export const createConnection = connectionsProcedure
  .input(createConnectionInput)
  .output(connectionView)
  .mutation(({ ctx, input }) => create(ctx.scope, input, connectionSchemasIn(installedManifests())));

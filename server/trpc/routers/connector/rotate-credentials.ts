import { connectionSchemasIn } from "@/server/connections/catalog-view";
import { rotateCredentials as rotate } from "@/server/connections/connections";
import { connectionView } from "./connector.types";
import { installedManifests } from "./manifests";
import { connectionsProcedure } from "./procedure";
import { rotateCredentialsInput } from "./rotate-credentials.types";

/** Replaces a connection's credentials; the answer carries only the new hint. */
export const rotateCredentials = connectionsProcedure
  .input(rotateCredentialsInput)
  .output(connectionView)
  .mutation(({ ctx, input }) =>
    rotate(ctx.scope, input.connectionId, input.credentials, connectionSchemasIn(installedManifests())),
  );

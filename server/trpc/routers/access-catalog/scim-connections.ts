import { listConnections } from "@/server/connections/connections";
import { catalogManagerProcedure } from "./procedure";
import { scimConnectionsOutput } from "./scim-connections.types";

/** The connector whose connections provision an app's accounts (connectors/scim/manifest.ts). */
const SCIM_CONNECTOR_ID = "scim";

/** The tenant's SCIM connections, by name, for choosing the one that provisions an app. */
export const scimConnections = catalogManagerProcedure.output(scimConnectionsOutput).query(async ({ ctx }) =>
  (await listConnections(ctx.scope, { connectorId: SCIM_CONNECTOR_ID })).map((c) => ({
    id: c.id,
    name: c.name,
    status: c.status,
  })),
);

import { bambooManifest } from "./bamboohr/manifest";
import { facilitiesManifest } from "./facilities/manifest";
import { financeManifest } from "./finance/manifest";
import { hrisManifest } from "./hris/manifest";
import { httpManifest } from "./http/manifest";
import { itManifest } from "./it/manifest";
import { scimManifest } from "./scim/manifest";
import type { AnyActionSpec, ConnectorManifest } from "./sdk";
import { webhooksManifest } from "./webhooks/manifest";

/**
 * Every installed connector's manifest, by id: what pages import to list connectors, their actions
 * and their connection forms. Manifests only (plain data, schemas and pure functions); the drivers
 * are paired with them in connectors/index.ts, whose keys must equal these. A connector's key is
 * its folder's name and its manifest's `id`.
 *
 * To install a connector: import its manifest here and add it under its id, then pair it with its
 * driver in connectors/index.ts (`connector(manifest, driver)`).
 */

/** Any connector's manifest, whatever its actions. */
export type AnyConnectorManifest = ConnectorManifest<Record<string, AnyActionSpec>>;

export const CONNECTOR_MANIFESTS = {
  hris: hrisManifest,
  bamboohr: bambooManifest,
  scim: scimManifest,
  it: itManifest,
  facilities: facilitiesManifest,
  finance: financeManifest,
  http: httpManifest,
  webhooks: webhooksManifest,
} satisfies Record<string, AnyConnectorManifest>;

export type ConnectorId = keyof typeof CONNECTOR_MANIFESTS;

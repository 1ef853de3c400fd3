import type { AnyActionSpec, ConnectorManifest } from "./sdk";

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

export const CONNECTOR_MANIFESTS = {} satisfies Record<string, AnyConnectorManifest>;

export type ConnectorId = keyof typeof CONNECTOR_MANIFESTS;

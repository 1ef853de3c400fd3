import { CONNECTOR_MANIFESTS } from "@/connectors/catalog";
import type { ManifestCatalog } from "@/server/connections/catalog-view";

/**
 * The installed connectors' manifests, read through this one function so the router's tests can
 * replace them (vi.mock of this module) and not depend on which connectors are installed.
 */
export const installedManifests = (): ManifestCatalog => CONNECTOR_MANIFESTS;

import { CONNECTOR_MANIFESTS } from "@/connectors/catalog";
import type { ManifestCatalog } from "@/server/connections/catalog-view";

/**
 * The installed connectors' manifests, read through this one function so the router's tests can
 * replace the catalog (vi.mock of "@/connectors/catalog") and not depend on which connectors exist.
 */
export const installedManifests = (): ManifestCatalog => CONNECTOR_MANIFESTS;

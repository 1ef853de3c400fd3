import { catalogView } from "@/server/connections/catalog-view";
import { catalogOutput } from "./catalog.types";
import { installedManifests } from "./manifests";
import { catalogProcedure } from "./procedure";

/** Every installed connector with its actions and connection form, by category. */
export const catalog = catalogProcedure
  .output(catalogOutput)
  .query(() => ({ connectors: catalogView(installedManifests()) }));

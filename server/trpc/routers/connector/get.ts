import { connectorView, findManifest } from "@/server/connections/catalog-view";
import { connectorView as connectorOutput } from "./connector.types";
import { getInput } from "./get.types";
import { installedManifests } from "./manifests";
import { catalogProcedure } from "./procedure";

/** One connector by id; an id no installed connector has is not found. */
export const get = catalogProcedure
  .input(getInput)
  .output(connectorOutput)
  .query(({ input }) => connectorView(findManifest(installedManifests(), input.id)));

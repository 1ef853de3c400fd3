import { requestCatalog } from "@/server/requests/catalog-view";
import { tenantProcedure } from "../../trpc";
import { catalogOutput } from "./catalog.types";

/** Every request type with its form, and whether the viewer may ask for it. */
export const catalog = tenantProcedure.output(catalogOutput).query(({ ctx }) => requestCatalog(ctx.scope));

import { listApps } from "@/server/it/access-catalog";
import { appsOutput } from "./apps.types";
import { catalogManagerProcedure } from "./procedure";

/** Every app with its roles, archived ones included, by name. */
export const apps = catalogManagerProcedure.output(appsOutput).query(({ ctx }) => listApps(ctx.scope));

/**
 * The Access catalog page's API over server/it/access-catalog.ts: the apps people may request access
 * to, their roles (each with its SCIM group and whose approval it needs) and the SCIM connection that
 * provisions each app. Owners and admins only. One procedure per file, each with its input and output
 * schemas beside it in `*.types.ts`.
 */
import { router } from "../../trpc";
import { apps } from "./apps";
import { createApp } from "./create-app";
import { createRole } from "./create-role";
import { scimConnections } from "./scim-connections";
import { updateApp } from "./update-app";
import { updateRole } from "./update-role";

export const accessCatalogRouter = router({
  apps,
  createApp,
  updateApp,
  createRole,
  updateRole,
  scimConnections,
});

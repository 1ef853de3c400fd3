/**
 * The Connectors page's API: the installed connectors' catalog for every member, and the tenant's
 * connections (credentials, settings, tests) and recent calls for owners and admins. Thin over
 * server/connections (connections.ts, catalog-view.ts). One procedure per file, each with its input and
 * output schemas beside it in `*.types.ts`.
 */
import { router } from "../../trpc";
import { catalog } from "./catalog";
import { connections } from "./connections";
import { createConnection } from "./create-connection";
import { deleteConnection } from "./delete-connection";
import { get } from "./get";
import { recentCalls } from "./recent-calls";
import { rotateCredentials } from "./rotate-credentials";
import { testConnection } from "./test-connection";
import { updateConfig } from "./update-config";

export const connectorRouter = router({
  catalog,
  get,
  connections,
  createConnection,
  updateConfig,
  rotateCredentials,
  deleteConnection,
  testConnection,
  recentCalls,
});

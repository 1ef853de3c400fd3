import "server-only";
import { currentUser } from "@/server/auth/current";
import { clientIp } from "@/server/auth/request-meta";
import { getDb } from "@/server/db/client";
import type { Context } from "./trpc";

/** The header the browser's tRPC client uses to name the tenant of the page it is on. */
export const TENANT_HEADER = "x-tenant";

export async function createContext(req: Request): Promise<Context> {
  return {
    db: getDb(),
    session: await currentUser(),
    unverifiedTenantSlug: req.headers.get(TENANT_HEADER),
    ip: clientIp(req.headers),
  };
}

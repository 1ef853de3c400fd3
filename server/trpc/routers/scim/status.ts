import { getScimToken } from "@/server/scim/tokens";
import { scimProcedure } from "./procedure";
import { scimBaseUrl } from "./scim.types";
import { statusOutput } from "./status.types";

/** The tenant's SCIM base URL and whether a token is live (its hint and dates). */
export const status = scimProcedure.output(statusOutput).query(async ({ ctx }) => {
  const info = await getScimToken(ctx.scope);
  return {
    baseUrl: scimBaseUrl(ctx.tenant.slug),
    token: info ? { hint: info.hint, createdAt: info.createdAt, lastUsedAt: info.lastUsedAt } : null,
  };
});

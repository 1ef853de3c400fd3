import { revokeScimToken } from "@/server/scim/tokens";
import { scimProcedure } from "./procedure";
import { revokeTokenOutput } from "./revoke-token.types";

/** Revokes the live token: the identity provider's next call is refused. No live token: not found. */
export const revokeToken = scimProcedure.output(revokeTokenOutput).mutation(async ({ ctx }) => {
  await revokeScimToken(ctx.scope);
  return { revoked: true as const };
});

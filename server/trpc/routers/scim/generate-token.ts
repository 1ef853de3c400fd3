import { generateScimToken, getScimToken } from "@/server/scim/tokens";
import { generateTokenOutput } from "./generate-token.types";
import { scimProcedure } from "./procedure";
import { scimBaseUrl } from "./scim.types";

/** A new token, revoking the live one if any (rotation); the only answer that carries a token. */
export const generateToken = scimProcedure.output(generateTokenOutput).mutation(async ({ ctx }) => {
  const rotated = (await getScimToken(ctx.scope)) !== null;
  const { token, info } = await generateScimToken(ctx.scope);
  return {
    token,
    rotated,
    info: { hint: info.hint, createdAt: info.createdAt, lastUsedAt: info.lastUsedAt },
    baseUrl: scimBaseUrl(ctx.tenant.slug),
  };
});

import { z } from "zod";
import { env } from "@/server/env.js";

/** The live token's hint and dates; never the token, which only its sha256 is kept of. */
export const scimTokenInfo = z.object({
  hint: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
});

/** Where identity providers reach this tenant (server/scim/README.md). */
export const scimBaseUrl = (slug: string) =>
  new URL(`/api/scim/v2/${encodeURIComponent(slug)}`, env.APP_URL).toString();

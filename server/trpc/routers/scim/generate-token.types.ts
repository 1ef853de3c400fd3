import { z } from "zod";
import { scimTokenInfo } from "./scim.types";

export const generateTokenOutput = z.object({
  /** Shown once: only its hash is kept. */
  token: z.string(),
  /** Whether a live token was revoked to make way for this one. */
  rotated: z.boolean(),
  info: scimTokenInfo,
  baseUrl: z.string(),
});

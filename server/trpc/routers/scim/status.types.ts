import { z } from "zod";
import { scimTokenInfo } from "./scim.types";

export const statusOutput = z.object({ baseUrl: z.string(), token: scimTokenInfo.nullable() });

import { z } from "zod";

export const revokeTokenOutput = z.object({ revoked: z.literal(true) });

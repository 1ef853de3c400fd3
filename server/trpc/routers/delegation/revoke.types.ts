import { z } from "zod";
import { delegationView } from "./delegation.types";

export const revokeInput = z.object({ delegationId: z.uuid("Not a delegation id") });
export const revokeOutput = delegationView;

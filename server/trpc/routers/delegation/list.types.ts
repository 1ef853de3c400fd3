import { z } from "zod";
import { delegationView } from "./delegation.types";

/** `all`: the whole tenant's (owners and admins); otherwise the viewer's, given and received. */
export const listInput = z.object({ all: z.boolean("Say true or false").optional() }).optional();
export const listOutput = z.array(delegationView);

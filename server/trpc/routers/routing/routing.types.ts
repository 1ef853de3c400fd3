import { z } from "zod";
import { REQUEST_TYPES, routingRuleSchema } from "@/server/requests/types";

export const routingRuleView = z.object({
  type: z.enum(REQUEST_TYPES),
  title: z.string(),
  rule: routingRuleSchema,
  isDefault: z.boolean(),
});

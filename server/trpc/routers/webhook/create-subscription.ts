import { createOutboundSubscription } from "@/server/webhooks/subscriptions";
import { createSubscriptionInput, createSubscriptionOutput } from "./create-subscription.types";
import { webhookProcedure } from "./procedure";

/**
 * Makes an outbound subscription (its target checked by the SSRF guard); the answer carries its secret,
 * the only time it is shown (audited).
 */
export const createSubscription = webhookProcedure
  .input(createSubscriptionInput)
  .output(createSubscriptionOutput)
  .mutation(({ ctx, input }) => createOutboundSubscription(ctx.scope, input));

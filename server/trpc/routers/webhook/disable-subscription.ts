import { disableOutboundSubscription } from "@/server/webhooks/subscriptions";
import { disableSubscriptionInput } from "./disable-subscription.types";
import { webhookProcedure } from "./procedure";
import { subscriptionView } from "./webhook.types";

/** Stops deliveries to a subscription: webhook.send to it is refused from now on (audited). */
export const disableSubscription = webhookProcedure
  .input(disableSubscriptionInput)
  .output(subscriptionView)
  .mutation(({ ctx, input }) => disableOutboundSubscription(ctx.scope, input.subscriptionId));

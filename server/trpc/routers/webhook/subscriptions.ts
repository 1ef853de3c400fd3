import { listOutboundSubscriptions } from "@/server/webhooks/subscriptions";
import { webhookProcedure } from "./procedure";
import { subscriptionsOutput } from "./subscriptions.types";

/** The tenant's outbound subscriptions with their latest delivery attempts. */
export const subscriptions = webhookProcedure
  .output(subscriptionsOutput)
  .query(({ ctx }) => listOutboundSubscriptions(ctx.scope));

import { z } from "zod";
import { outboundDeliveryView, subscriptionView } from "./webhook.types";

export const subscriptionsOutput = z.array(
  subscriptionView.extend({ recentDeliveries: z.array(outboundDeliveryView) }),
);

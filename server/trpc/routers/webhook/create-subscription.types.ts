import { z } from "zod";
import { createSubscriptionInput as domainInput } from "@/server/webhooks/subscriptions";
import { subscriptionView } from "./webhook.types";

export const createSubscriptionInput = domainInput;

export const createSubscriptionOutput = z.object({
  subscription: subscriptionView,
  /** Shown once: lists and later answers carry only its hint. */
  secret: z.string(),
});

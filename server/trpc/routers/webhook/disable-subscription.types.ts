import { z } from "zod";
import { webhookIdInput } from "./webhook.types";

export const disableSubscriptionInput = z.object({ subscriptionId: webhookIdInput });

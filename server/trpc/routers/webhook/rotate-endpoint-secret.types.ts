import { z } from "zod";
import { rotateEndpointInput } from "@/server/webhooks/endpoints";
import { endpointView, webhookIdInput } from "./webhook.types";

export const rotateEndpointSecretInput = rotateEndpointInput.extend({ endpointId: webhookIdInput });

export const rotateEndpointSecretOutput = z.object({
  endpoint: endpointView,
  /** The new secret, shown once. */
  secret: z.string(),
});

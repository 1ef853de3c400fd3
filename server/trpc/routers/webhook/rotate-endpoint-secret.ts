import { rotateInboundEndpointSecret } from "@/server/webhooks/endpoints";
import { webhookProcedure } from "./procedure";
import { rotateEndpointSecretInput, rotateEndpointSecretOutput } from "./rotate-endpoint-secret.types";
import { inboundUrl } from "./webhook.types";

/**
 * A new secret for an endpoint, shown once; the old one keeps verifying for `graceHours` so the
 * sender can switch over (audited).
 */
export const rotateEndpointSecret = webhookProcedure
  .input(rotateEndpointSecretInput)
  .output(rotateEndpointSecretOutput)
  .mutation(async ({ ctx, input }) => {
    const { endpoint, secret } = await rotateInboundEndpointSecret(ctx.scope, input.endpointId, {
      graceHours: input.graceHours,
    });
    return { endpoint: { ...endpoint, url: inboundUrl(endpoint.path) }, secret };
  });

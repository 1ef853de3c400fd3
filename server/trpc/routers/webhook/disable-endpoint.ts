import { disableInboundEndpoint } from "@/server/webhooks/endpoints";
import { disableEndpointInput } from "./disable-endpoint.types";
import { webhookProcedure } from "./procedure";
import { endpointView, inboundUrl } from "./webhook.types";

/** Stops an endpoint: its requests are then refused like an unknown endpoint's (audited). */
export const disableEndpoint = webhookProcedure
  .input(disableEndpointInput)
  .output(endpointView)
  .mutation(async ({ ctx, input }) => {
    const endpoint = await disableInboundEndpoint(ctx.scope, input.endpointId);
    return { ...endpoint, url: inboundUrl(endpoint.path) };
  });

import { createInboundEndpoint } from "@/server/webhooks/endpoints";
import { createEndpointInput, createEndpointOutput } from "./create-endpoint.types";
import { webhookProcedure } from "./procedure";
import { inboundUrl } from "./webhook.types";

/** Makes an inbound endpoint; the answer carries its secret, the only time it is shown (audited). */
export const createEndpoint = webhookProcedure
  .input(createEndpointInput)
  .output(createEndpointOutput)
  .mutation(async ({ ctx, input }) => {
    const { endpoint, secret } = await createInboundEndpoint(ctx.scope, input);
    return { endpoint: { ...endpoint, url: inboundUrl(endpoint.path) }, secret };
  });

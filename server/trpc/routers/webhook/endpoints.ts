import { listInboundEndpoints } from "@/server/webhooks/endpoints";
import { endpointsOutput } from "./endpoints.types";
import { webhookProcedure } from "./procedure";
import { inboundUrl } from "./webhook.types";

/** The tenant's inbound endpoints with the URL to give the sender and their latest deliveries. */
export const endpoints = webhookProcedure.output(endpointsOutput).query(async ({ ctx }) => {
  const list = await listInboundEndpoints(ctx.scope);
  return list.map((endpoint) => ({ ...endpoint, url: inboundUrl(endpoint.path) }));
});

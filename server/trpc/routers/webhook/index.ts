/**
 * The webhooks connector's admin API (owners and admins): inbound endpoints and outbound
 * subscriptions, thin over server/webhooks. Secrets appear only in the answers of the calls that make
 * them (create, rotate). One procedure per file, each with its schemas beside it in `*.types.ts`.
 */
import { router } from "../../trpc";
import { createEndpoint } from "./create-endpoint";
import { createSubscription } from "./create-subscription";
import { disableEndpoint } from "./disable-endpoint";
import { disableSubscription } from "./disable-subscription";
import { endpoints } from "./endpoints";
import { rotateEndpointSecret } from "./rotate-endpoint-secret";
import { subscriptions } from "./subscriptions";

export const webhookRouter = router({
  endpoints,
  createEndpoint,
  rotateEndpointSecret,
  disableEndpoint,
  subscriptions,
  createSubscription,
  disableSubscription,
});

import { z } from "zod";
import { createEndpointInput as domainInput } from "@/server/webhooks/endpoints";
import { endpointView } from "./webhook.types";

export const createEndpointInput = domainInput;

export const createEndpointOutput = z.object({
  endpoint: endpointView,
  /** Shown once: lists and later answers carry only its hint. */
  secret: z.string(),
});

import { z } from "zod";
import { endpointView, inboundDeliveryView } from "./webhook.types";

export const endpointsOutput = z.array(
  endpointView.extend({ recentDeliveries: z.array(inboundDeliveryView) }),
);

import { z } from "zod";
import { webhookIdInput } from "./webhook.types";

export const disableEndpointInput = z.object({ endpointId: webhookIdInput });

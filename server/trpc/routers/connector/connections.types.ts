import { z } from "zod";
import { connectionView, connectorIdInput } from "./connector.types";

export const connectionsInput = z.object({ connectorId: connectorIdInput.optional() }).default({});

export const connectionsOutput = z.array(connectionView);

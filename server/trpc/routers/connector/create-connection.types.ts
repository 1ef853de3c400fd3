import { z } from "zod";
import { configInput, credentialsInput } from "./connector.types";

/** Names and values are checked by the domain against the connector's own schemas (field errors). */
export const createConnectionInput = z.object({
  connectorId: z.string({ error: "Choose a connector" }).max(64, "Not a connector id"),
  name: z.string({ error: "Give the connection a name" }),
  credentials: credentialsInput,
  config: configInput.default({}),
});

import { z } from "zod";
import { connectorView } from "./connector.types";

export const catalogOutput = z.object({ connectors: z.array(connectorView) });

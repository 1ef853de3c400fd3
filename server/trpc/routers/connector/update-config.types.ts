import { z } from "zod";
import { configInput, connectionIdInput } from "./connector.types";

export const updateConfigInput = z.object({ connectionId: connectionIdInput, config: configInput });

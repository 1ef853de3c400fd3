import { z } from "zod";
import { connectionIdInput } from "./connector.types";

export const deleteConnectionInput = z.object({ connectionId: connectionIdInput });

export const deleteConnectionOutput = z.object({ id: z.string() });

import { z } from "zod";
import { connectionIdInput } from "./connector.types";

export const testConnectionInput = z.object({ connectionId: connectionIdInput });

export const testConnectionOutput = z.object({ ok: z.boolean(), message: z.string() });

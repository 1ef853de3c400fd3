import { z } from "zod";

export const csvExportOutput = z.object({ csv: z.string(), filename: z.string() });

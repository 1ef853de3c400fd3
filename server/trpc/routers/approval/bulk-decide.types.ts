import { z } from "zod";
import { bulkDecideInput as domainBulkDecideInput } from "@/server/requests/approvals";

export const bulkDecideInput = domainBulkDecideInput;
export const bulkDecideOutput = z.object({
  results: z.array(z.object({ taskId: z.string(), ok: z.boolean(), message: z.string().nullable() })),
});

import { z } from "zod";
import { decideInput as domainDecideInput } from "@/server/requests/approvals";
import { TASK_STATUSES } from "@/server/requests/store";

export const decideInput = domainDecideInput;
export const decideOutput = z.object({ requestId: z.string(), taskStatus: z.enum(TASK_STATUSES) });

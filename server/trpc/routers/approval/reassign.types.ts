import { z } from "zod";
import { reassignInput as domainReassignInput } from "@/server/requests/approvals";

export const reassignInput = domainReassignInput;
export const reassignOutput = z.void();

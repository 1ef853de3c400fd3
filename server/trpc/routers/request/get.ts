import { requestDetail } from "@/server/requests/requests";
import { tenantProcedure } from "../../trpc";
import { getInput, getOutput } from "./get.types";

/**
 * One request with its plan, approvals and timeline: for its requester, its approvers, owners and
 * admins; anyone else (and another tenant's id) gets "not found".
 */
export const get = tenantProcedure
  .input(getInput)
  .output(getOutput)
  .query(({ ctx, input }) => requestDetail(ctx.scope, input.requestId));

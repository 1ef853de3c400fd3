import { notFound } from "@/server/errors";
import { isHrManager } from "@/server/hr/common";
import { fullName, getEmployee, managerChain, reportsOf } from "@/server/hr/employees";
import { directoryEntryOf } from "./directory";
import { getInput, getOutput } from "./get.types";
import { directoryProcedure } from "./procedure";

/**
 * One person with their reporting lines. Another tenant's id is not found; so is a leaver, for members
 * who do not keep people records (the directory does not show leavers to them).
 */
export const get = directoryProcedure
  .input(getInput)
  .output(getOutput)
  .query(async ({ ctx, input }) => {
    const canManage = isHrManager(ctx.scope);
    const employee = await getEmployee(ctx.scope, input.employeeId);
    if (!canManage && employee.status === "terminated") throw notFound("Employee not found");
    const chain = await managerChain(ctx.scope, employee.id);
    const reports = await reportsOf(ctx.scope, employee.id);
    const brief = (e: { id: string; givenName: string; familyName: string; title: string }) => ({
      id: e.id,
      name: fullName(e),
      title: e.title,
    });
    return {
      ...directoryEntryOf(employee, chain[0] ? fullName(chain[0]) : null, canManage),
      managerChain: chain.map(brief),
      reports: reports.map(brief),
    };
  });

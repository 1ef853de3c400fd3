import { AppError } from "@/server/errors";
import { isHrManager } from "@/server/hr/common";
import { fullName, listDepartments, listEmployees } from "@/server/hr/employees";
import { directoryEntryOf } from "./directory";
import { listInput, listOutput } from "./list.types";
import { directoryProcedure } from "./procedure";

/**
 * The directory: everyone who has not left, searchable by name, email and title (and employee number
 * for owners and admins), by department; owners and admins may also list by status, leavers included.
 */
export const list = directoryProcedure
  .input(listInput)
  .output(listOutput)
  .query(async ({ ctx, input }) => {
    const canManage = isHrManager(ctx.scope);
    if (!canManage && input.status !== "current")
      throw new AppError("FORBIDDEN", "Only owners and admins can list people by status");
    const everyone = await listEmployees(ctx.scope, { includeTerminated: input.status !== "current" });
    const names = new Map(everyone.map((e) => [e.id, fullName(e)]));
    const needle = input.search?.toLowerCase() ?? "";
    const employees = everyone
      .filter((e) => input.status === "current" || input.status === "all" || e.status === input.status)
      .filter((e) => !input.departmentId || e.departmentId === input.departmentId)
      .filter(
        (e) =>
          needle === "" ||
          [fullName(e), e.email, e.title, ...(canManage ? [e.employeeNumber] : [])].some((text) =>
            text.toLowerCase().includes(needle),
          ),
      )
      .map((e) => directoryEntryOf(e, e.managerId ? (names.get(e.managerId) ?? null) : null, canManage));
    const departments = (await listDepartments(ctx.scope)).map((d) => ({ id: d.id, name: d.name }));
    return { employees, departments, canManage };
  });

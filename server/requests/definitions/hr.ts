import { findEmployeeByEmail } from "@/server/hr/employees";
import { workingDays } from "@/server/hr/time-off";
import { AppError } from "@/server/errors";
import { timeOffForm } from "../forms";
import { defineRequest, level, outputOf } from "../definition";

/**
 * Time off: filed in HR as the requester (it reserves the days), then recorded as approved in HR with
 * the authority of the manager who approved (people never approve their own time off).
 */
export const timeOff = defineRequest({
  type: "time-off",
  title: "Time off",
  description: "Vacation, sick days, parental or unpaid leave, approved by your manager.",
  category: "hr",
  audience: "everyone",
  form: timeOffForm,
  defaultRule: { levels: [level("Manager", "manager")] },
  async prepare({ tx, tenantId, requester }, input) {
    const employee = await findEmployeeByEmail({ tenantId, db: tx, actor: null }, requester.email);
    if (!employee)
      throw new AppError("BAD_REQUEST", "You have no employee record in HR yet; ask HR to add you first.");
    const days = workingDays(input.startDate, input.endDate);
    const resource = (id: string) =>
      ({ type: "TimeOffRequest", id, attrs: { requesterId: requester.id, days } }) as const;
    const label = `${days} day${days === 1 ? "" : "s"} off for ${requester.name}, ${input.startDate} to ${input.endDate}`;
    return {
      title: `Time off ${input.startDate} – ${input.endDate}`,
      steps: [
        {
          key: "file",
          as: "requester",
          syscall: {
            action: "hr.timeoff.request",
            resource: resource("new"),
            resourceLabel: label,
            input: {
              employeeId: employee.id,
              policyId: input.policyId,
              startDate: input.startDate,
              endDate: input.endDate,
              reason: input.reason,
            },
          },
        },
        {
          key: "approve",
          as: { approver: "manager" },
          describeBefore: "Record the time off as approved in HR",
          syscall: {
            action: "hr.timeoff.approve",
            resource: resource(outputOf("file", "request.id")),
            resourceLabel: label,
            input: { requestId: outputOf("file", "request.id"), decision: "approved" },
          },
        },
      ],
    };
  },
});

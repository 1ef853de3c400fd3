import { fullName, type EmployeeView } from "@/server/hr/employees";
import type { DirectoryEntry } from "./employee.types";

/**
 * An employee record as a directory entry: what every member may read (name, title, department,
 * manager, work email), and the rest of the record only for those who keep people records.
 */
export function directoryEntryOf(
  employee: EmployeeView,
  managerName: string | null,
  withDetails: boolean,
): DirectoryEntry {
  return {
    id: employee.id,
    givenName: employee.givenName,
    familyName: employee.familyName,
    name: fullName(employee),
    title: employee.title,
    departmentId: employee.departmentId,
    department: employee.department,
    managerId: employee.managerId,
    managerName,
    email: employee.email,
    details: withDetails
      ? {
          employeeNumber: employee.employeeNumber,
          status: employee.status,
          startDate: employee.startDate,
          endDate: employee.endDate,
          location: employee.location,
          timeZone: employee.timeZone,
          userId: employee.userId,
        }
      : null,
  };
}

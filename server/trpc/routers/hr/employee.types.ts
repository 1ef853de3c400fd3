import { z } from "zod";

export const employeeStatus = z.enum(["active", "on_leave", "terminated"]);

/** What owners and admins see beyond the directory. */
export const employeeDetails = z.object({
  employeeNumber: z.string(),
  status: employeeStatus,
  startDate: z.string(),
  endDate: z.string().nullable(),
  location: z.string(),
  timeZone: z.string(),
  userId: z.string().nullable(),
});

/** One person as the directory shows them; `details` only for owners and admins, else null. */
export const directoryEntry = z.object({
  id: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  name: z.string(),
  title: z.string(),
  departmentId: z.string().nullable(),
  department: z.string().nullable(),
  managerId: z.string().nullable(),
  managerName: z.string().nullable(),
  email: z.string(),
  details: employeeDetails.nullable(),
});
export type DirectoryEntry = z.infer<typeof directoryEntry>;

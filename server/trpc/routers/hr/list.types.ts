import { z } from "zod";
import { directoryEntry } from "./employee.types";

/** "current" is everyone who has not left; the other statuses are for owners and admins only. */
export const DIRECTORY_STATUSES = ["current", "active", "on_leave", "terminated", "all"] as const;

export const listInput = z
  .object({
    search: z.string("Search with text").trim().max(100, "Search with at most 100 characters").optional(),
    departmentId: z.uuid("Choose a department").optional(),
    status: z
      .enum(DIRECTORY_STATUSES, "Choose current, active, on_leave, terminated or all")
      .default("current"),
  })
  .default({ status: "current" });

export const listOutput = z.object({
  employees: z.array(directoryEntry),
  departments: z.array(z.object({ id: z.string(), name: z.string() })),
  /** Whether the caller sees every field and may filter by status, import and export. */
  canManage: z.boolean(),
});

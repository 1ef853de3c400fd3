import { z } from "zod";
import { directoryEntry } from "./employee.types";

export const getInput = z.object({ employeeId: z.uuid("Choose an employee") });

export const getOutput = directoryEntry.extend({
  /** Their manager, that manager's manager, and so on, nearest first. */
  managerChain: z.array(z.object({ id: z.string(), name: z.string(), title: z.string() })),
  reports: z.array(z.object({ id: z.string(), name: z.string(), title: z.string() })),
});

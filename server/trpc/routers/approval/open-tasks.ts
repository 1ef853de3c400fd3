import { openTasks as openTasksOf } from "@/server/requests/approvals";
import { openTasksOutput } from "./open-tasks.types";
import { managerProcedure } from "./procedure";

/** Every open approval of the tenant, for owners and admins to reassign. */
export const openTasks = managerProcedure.output(openTasksOutput).query(({ ctx }) => openTasksOf(ctx.scope));

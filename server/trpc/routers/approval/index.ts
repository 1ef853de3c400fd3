/**
 * The Approvals page's API over server/requests/approvals.ts: the inbox, deciding one or several, and
 * for owners and admins every open approval with reassignment. One procedure per file, each with its
 * input and output schemas in `*.types.ts`.
 */
import { router } from "../../trpc";
import { bulkDecide } from "./bulk-decide";
import { decide } from "./decide";
import { inbox } from "./inbox";
import { openTasks } from "./open-tasks";
import { reassign } from "./reassign";

export const approvalRouter = router({ inbox, decide, bulkDecide, openTasks, reassign });

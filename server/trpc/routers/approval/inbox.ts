import { inbox as inboxOf } from "@/server/requests/approvals";
import { inboxOutput } from "./inbox.types";
import { memberProcedure } from "./procedure";

/** The approvals the viewer may decide now: their own and those of people they stand in for. */
export const inbox = memberProcedure.output(inboxOutput).query(({ ctx }) => inboxOf(ctx.scope));

import { z } from "zod";
import { delegationView } from "./delegation.types";

/**
 * The viewer's own out-of-office delegation: who approves in their place, from when until when.
 * Reassigning one approval to someone else is approval.reassign's (owners and admins).
 */
export const createInput = z.object({
  toUserId: z.uuid("Choose who approves for you"),
  startsAt: z.date("Give a start date").optional(),
  endsAt: z.date("Say when you are back"),
  note: z.string().trim().max(500, "Use at most 500 characters").optional(),
});
export const createOutput = delegationView;

import { z } from "zod";
import { DELEGATION_REASONS } from "@/server/kernel/access/delegations";

const person = z.object({ id: z.string(), name: z.string() });

export const delegationView = z.object({
  id: z.string(),
  from: person,
  to: person,
  reason: z.enum(DELEGATION_REASONS),
  taskId: z.string().nullable(),
  note: z.string().nullable(),
  startsAt: z.date(),
  endsAt: z.date().nullable(),
  createdAt: z.date(),
  createdBy: z.string().nullable(),
  revokedAt: z.date().nullable(),
  revokedBy: z.string().nullable(),
  state: z.enum(["scheduled", "active", "ended", "revoked"]),
});

import type { Tx } from "@/server/db/client";
import { hashPassword } from "./password";

/** Creates a password account. The email must already be normalised (emailSchema). */
export async function createUserWithPassword(
  tx: Tx,
  input: { email: string; name: string; password: string; id?: string; emailVerified?: boolean },
): Promise<{ id: string }> {
  return tx.user.create({
    data: {
      id: input.id,
      email: input.email,
      name: input.name,
      passwordHash: await hashPassword(input.password),
      emailVerified: input.emailVerified ? new Date() : null,
    },
    select: { id: true },
  });
}

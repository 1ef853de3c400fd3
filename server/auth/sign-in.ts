import { z } from "zod";
import type { PrismaClient } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { verifyPassword } from "./password";
import { emailSchema } from "./password-rules";
import { assertSignInAllowed, recordSignInAttempt } from "./rate-limit";

export const signInInput = z.object({ email: emailSchema, password: z.string().min(1).max(200) });

export type SignedInUser = { id: string; email: string; name: string };

/** Checks an email and password under the sign-in rate limits; every attempt is recorded. */
export async function signInWithPassword(
  db: PrismaClient,
  credentials: unknown,
  ip: string,
): Promise<SignedInUser> {
  const parsed = signInInput.safeParse(credentials);
  if (!parsed.success) throw new AppError("UNAUTHORIZED", "Email or password is incorrect.");
  const { email, password } = parsed.data;
  await assertSignInAllowed(db, email, ip);
  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, passwordHash: true },
  });
  const ok = await verifyPassword(user?.passwordHash, password);
  await recordSignInAttempt(db, { email, ip, succeeded: ok });
  if (!user || !ok) throw new AppError("UNAUTHORIZED", "Email or password is incorrect.");
  return { id: user.id, email: user.email, name: user.name };
}

import { z } from "zod";
import type { PrismaClient } from "@/server/db/client";
import { fieldError, notFound } from "@/server/errors";
import { hashPassword, verifyPassword } from "./password";
import { passwordSchema } from "./password-rules";
import { revokeOtherSessions } from "./sessions";

export const updateProfileInput = z.object({
  name: z.string().trim().min(1, "Enter your name").max(100, "Use at most 100 characters"),
});
export const changePasswordInput = z.object({
  currentPassword: z.string().max(200),
  newPassword: passwordSchema,
});

export async function getProfile(db: PrismaClient, userId: string) {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, name: true, email: true, passwordHash: true },
  });
  if (!user) throw notFound("User not found");
  return { id: user.id, name: user.name, email: user.email, hasPassword: user.passwordHash !== null };
}

export async function updateProfile(
  db: PrismaClient,
  userId: string,
  input: z.infer<typeof updateProfileInput>,
) {
  const user = await db.user.update({
    where: { id: userId },
    data: { name: input.name },
    select: { name: true },
  });
  return { name: user.name };
}

/** Changes the password and signs the user out of every other session. */
export async function changePassword(
  db: PrismaClient,
  user: { userId: string; sessionId: string },
  input: z.infer<typeof changePasswordInput>,
): Promise<{ otherSessionsEnded: number }> {
  const row = await db.user.findUnique({ where: { id: user.userId }, select: { passwordHash: true } });
  if (!row) throw notFound("User not found");
  // Users who signed up through SSO have no password yet and may set one.
  if (row.passwordHash !== null && !(await verifyPassword(row.passwordHash, input.currentPassword))) {
    throw fieldError("currentPassword", "The current password is incorrect");
  }
  await db.user.update({
    where: { id: user.userId },
    data: { passwordHash: await hashPassword(input.newPassword) },
  });
  return { otherSessionsEnded: await revokeOtherSessions(db, user.userId, user.sessionId) };
}

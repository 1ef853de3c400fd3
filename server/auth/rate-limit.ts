import { env } from "@/server/env.js";
import { AppError } from "@/server/errors";
import type { PrismaClient } from "@/server/db/client";

/**
 * Password sign-in limits: failed attempts per account and per IP within a sliding window. A success
 * does not reset the IP counter, so one address cannot spray many accounts.
 */
export async function assertSignInAllowed(
  db: PrismaClient,
  email: string,
  ip: string,
  now = new Date(),
): Promise<void> {
  const windowMs = env.SIGNIN_LOCKOUT_MINUTES * 60_000;
  const since = new Date(now.getTime() - windowMs);
  const lastSuccess = await db.signInAttempt.findFirst({
    where: { email, succeeded: true, createdAt: { gte: since } },
    orderBy: { createdAt: "desc" },
    select: { createdAt: true },
  });
  const accountFailures = await db.signInAttempt.findMany({
    where: { email, succeeded: false, createdAt: { gte: lastSuccess?.createdAt ?? since } },
    orderBy: { createdAt: "desc" },
    take: env.SIGNIN_MAX_FAILURES_PER_ACCOUNT,
    select: { createdAt: true },
  });
  if (accountFailures.length >= env.SIGNIN_MAX_FAILURES_PER_ACCOUNT) {
    throw lockedOut("this account", accountFailures.at(-1)?.createdAt ?? now, windowMs, now);
  }
  const ipFailures = await db.signInAttempt.findMany({
    where: { ip, succeeded: false, createdAt: { gte: since } },
    orderBy: { createdAt: "desc" },
    take: env.SIGNIN_MAX_FAILURES_PER_IP,
    select: { createdAt: true },
  });
  if (ipFailures.length >= env.SIGNIN_MAX_FAILURES_PER_IP) {
    throw lockedOut("your network address", ipFailures.at(-1)?.createdAt ?? now, windowMs, now);
  }
}

function lockedOut(who: string, oldestCounted: Date, windowMs: number, now: Date): AppError {
  const minutes = Math.max(1, Math.ceil((oldestCounted.getTime() + windowMs - now.getTime()) / 60_000));
  return new AppError(
    "RATE_LIMITED",
    `Too many failed sign-in attempts for ${who}. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
  );
}

export async function recordSignInAttempt(
  db: PrismaClient,
  attempt: { email: string; ip: string; succeeded: boolean },
): Promise<void> {
  await db.signInAttempt.create({ data: attempt });
}

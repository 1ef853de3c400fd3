import { randomBytes } from "node:crypto";
import { env } from "@/server/env.js";
import type { PrismaClient } from "@/server/db/client";

/**
 * Server-side sessions. Auth.js keeps its JWT cookie, but the token only names a row here; every request
 * checks the row, so signing out (or revoking a session from another device) takes effect at once.
 */
export type SessionMeta = { ip?: string; userAgent?: string };

export async function createSession(
  db: PrismaClient,
  userId: string,
  meta: SessionMeta = {},
): Promise<string> {
  const id = randomBytes(32).toString("base64url");
  await db.session.create({
    data: {
      id,
      userId,
      expiresAt: new Date(Date.now() + env.SESSION_MAX_AGE_DAYS * 86_400_000),
      ip: meta.ip?.slice(0, 100),
      userAgent: meta.userAgent?.slice(0, 500),
    },
  });
  return id;
}

/** The session's user, or null when the session was revoked, expired or never existed. */
export async function resolveSession(db: PrismaClient, sessionId: string): Promise<string | null> {
  const session = await db.session.findUnique({
    where: { id: sessionId },
    select: { userId: true, expiresAt: true },
  });
  if (!session || session.expiresAt <= new Date()) return null;
  return session.userId;
}

export async function revokeSession(db: PrismaClient, sessionId: string): Promise<void> {
  await db.session.deleteMany({ where: { id: sessionId } });
}

export async function listSessions(db: PrismaClient, userId: string, currentSessionId: string) {
  const sessions = await db.session.findMany({
    where: { userId, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
    select: { id: true, createdAt: true, ip: true, userAgent: true },
  });
  // Session ids are bearer secrets: the list shows a short public handle instead.
  return sessions.map((s) => ({
    handle: s.id.slice(0, 8),
    createdAt: s.createdAt,
    ip: s.ip,
    userAgent: s.userAgent,
    current: s.id === currentSessionId,
  }));
}

/** Signs the user out everywhere else; returns how many sessions ended. */
export async function revokeOtherSessions(
  db: PrismaClient,
  userId: string,
  currentSessionId: string,
): Promise<number> {
  const { count } = await db.session.deleteMany({ where: { userId, id: { not: currentSessionId } } });
  return count;
}

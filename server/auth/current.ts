import "server-only";
import { redirect } from "next/navigation";
import { auth } from "./config";

export type SessionUser = { userId: string; sessionId: string };

/** The signed-in user for this request, or null. The session row is checked on every call. */
export async function currentUser(): Promise<SessionUser | null> {
  const session = await auth();
  if (!session?.user?.id || !session.sessionId) return null;
  return { userId: session.user.id, sessionId: session.sessionId };
}

/** For pages: the signed-in user, or a redirect to the sign-in page that comes back here. */
export async function requireUser(returnTo: string): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(returnTo)}`);
  return user;
}

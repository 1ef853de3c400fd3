import type { PrismaClient } from "@/server/db/client";
import { AppError } from "@/server/errors";

/**
 * Finds or creates the Tenet user for an OIDC identity. An existing account is linked by email only
 * when the identity provider says the email is verified, so an IdP account cannot claim someone
 * else's address.
 */
export async function userForOidcIdentity(
  db: PrismaClient,
  identity: {
    provider: string;
    providerAccountId: string;
    email?: string | null;
    name?: string | null;
    emailVerified: boolean;
  },
): Promise<string> {
  const linked = await db.account.findUnique({
    where: {
      provider_providerAccountId: {
        provider: identity.provider,
        providerAccountId: identity.providerAccountId,
      },
    },
    select: { userId: true },
  });
  if (linked) return linked.userId;
  const email = identity.email?.trim().toLowerCase();
  if (!email || !identity.emailVerified) {
    throw new AppError("FORBIDDEN", "Your identity provider did not share a verified email address.");
  }
  return db.$transaction(async (tx) => {
    const user =
      (await tx.user.findUnique({ where: { email }, select: { id: true } })) ??
      (await tx.user.create({
        data: { email, name: identity.name?.trim() || email, emailVerified: new Date() },
        select: { id: true },
      }));
    await tx.account.create({
      data: {
        userId: user.id,
        type: "oidc",
        provider: identity.provider,
        providerAccountId: identity.providerAccountId,
      },
    });
    return user.id;
  });
}

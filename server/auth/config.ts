import "server-only";
import NextAuth, { CredentialsSignin, type DefaultSession, type Profile, type User } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import type { Provider } from "next-auth/providers";
import { headers } from "next/headers";
import { getDb } from "@/server/db/client";
import { env } from "@/server/env.js";
import { AppError } from "@/server/errors";
import { userForOidcIdentity } from "./oidc";
import { recordSignIn } from "./record-sign-in";
import { clientIp, userAgent } from "./request-meta";
import { createSession, resolveSession, revokeSession } from "./sessions";
import { signInWithPassword } from "./sign-in";

declare module "next-auth" {
  interface Session {
    sessionId: string;
    user: { id: string } & DefaultSession["user"];
  }
}

declare module "@auth/core/jwt" {
  interface JWT {
    /** The server-side session row this cookie stands for (server/auth/sessions.ts). */
    sid?: string;
  }
}

/** Carries our message (bad password, locked out) to the sign-in form through Auth.js's `code`. */
class PasswordSignInError extends CredentialsSignin {
  constructor(code: "invalid" | "locked", message: string) {
    super(message);
    this.code = code === "locked" ? `locked:${message}` : "invalid";
  }
}

export const OIDC_PROVIDER_ID = "oidc";

const providers: Provider[] = [
  Credentials({
    credentials: {
      email: { label: "Email", type: "email" },
      password: { label: "Password", type: "password" },
    },
    async authorize(credentials, request) {
      try {
        return await signInWithPassword(getDb(), credentials, clientIp(request.headers));
      } catch (error) {
        if (error instanceof AppError && error.code === "RATE_LIMITED")
          throw new PasswordSignInError("locked", error.message);
        if (error instanceof AppError) throw new PasswordSignInError("invalid", error.message);
        throw error;
      }
    },
  }),
];

if (env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET) {
  providers.push({
    id: OIDC_PROVIDER_ID,
    name: env.OIDC_DISPLAY_NAME,
    type: "oidc",
    issuer: env.OIDC_ISSUER,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    checks: ["pkce", "state", "nonce"],
  });
}

function oidcIdentity(providerAccountId: string, profile: Profile | undefined, user: User) {
  return {
    provider: OIDC_PROVIDER_ID,
    providerAccountId,
    email: profile?.email ?? user.email,
    name: profile?.name ?? user.name,
    emailVerified: profile?.email_verified === true,
  };
}

async function requestMeta() {
  try {
    const h = await headers();
    return { ip: clientIp(h), userAgent: userAgent(h) };
  } catch {
    return {};
  }
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  secret: env.AUTH_SECRET,
  logger: {
    // A wrong password or a lockout is an answer to the user, not a server error worth a stack trace.
    error(error) {
      if (error instanceof CredentialsSignin || error.cause instanceof CredentialsSignin) return;
      console.error(`[auth] ${error.name}: ${error.message}`, error.cause ?? "");
    },
  },
  trustHost: env.AUTH_TRUST_HOST ?? env.NODE_ENV !== "production",
  session: { strategy: "jwt", maxAge: env.SESSION_MAX_AGE_DAYS * 86_400 },
  pages: { signIn: "/sign-in", error: "/sign-in" },
  providers,
  callbacks: {
    // Refusing here (rather than failing later) sends the person back to the sign-in page with
    // "AccessDenied", which it explains.
    async signIn({ account, profile, user }) {
      if (account?.provider !== OIDC_PROVIDER_ID) return true;
      try {
        await userForOidcIdentity(getDb(), oidcIdentity(account.providerAccountId, profile, user));
        return true;
      } catch (error) {
        if (error instanceof AppError && error.code === "FORBIDDEN") return false;
        throw error;
      }
    },
    async jwt({ token, user, account, profile }) {
      if (user && account) {
        // A fresh sign-in: resolve our user id and open a server-side session.
        const db = getDb();
        const userId =
          account.provider === OIDC_PROVIDER_ID
            ? await userForOidcIdentity(db, oidcIdentity(account.providerAccountId, profile, user))
            : user.id;
        if (!userId) return null;
        const meta = await requestMeta();
        token.sub = userId;
        token.sid = await createSession(db, userId, meta);
        await recordSignIn(db, userId, meta.ip);
        return token;
      }
      // Every later request: the cookie is only good while its session row exists.
      if (!token.sid || !token.sub) return null;
      const owner = await resolveSession(getDb(), token.sid);
      return owner === token.sub ? token : null;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      if (token.sid) session.sessionId = token.sid;
      return session;
    },
  },
  events: {
    async signOut(message) {
      if ("token" in message && message.token?.sid) await revokeSession(getDb(), message.token.sid);
    },
  },
});

export const oidcEnabled = providers.some((p) => typeof p !== "function" && p.id === OIDC_PROVIDER_ID);

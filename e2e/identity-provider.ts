/**
 * A real OpenID Connect provider (the `oidc-provider` package, speaking the protocol over HTTP on
 * loopback) for the single sign-on browser tests. Its development login form accepts any login; the
 * login becomes the account's subject and, when it looks like one, its verified email.
 */
import { createServer, type Server } from "node:http";
import Provider from "oidc-provider";

export type IdentityProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close: () => Promise<void>;
};

export async function startIdentityProvider(port: number, appBaseUrl: string): Promise<IdentityProvider> {
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = "tenet-e2e";
  const clientSecret = "tenet-e2e-client-secret-for-tests-only";
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${appBaseUrl}/api/auth/callback/oidc`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    cookies: { keys: ["tenet-e2e-idp-cookie-key"] },
    // Put the email claims in the ID token, as Okta and Entra do; Auth.js reads the ID token.
    conformIdTokenClaims: false,
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({
        sub,
        ...(sub.includes("@") ? { email: sub, email_verified: true } : {}),
        name: `SSO ${sub.split("@")[0] ?? sub}`,
      }),
    }),
  });
  const handle = provider.callback();
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    issuer,
    clientId,
    clientSecret,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * OAuth 2.0 client credentials grant (RFC 6749 §4.4) for connectors: a token endpoint is asked for an
 * access token with the connection's client id and secret, and the token is cached per connection
 * until shortly before it expires. The secret goes only to the token endpoint, only in the
 * Authorization header (client_secret_basic, §2.3.1), and every request goes through guardedFetch.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { basicAuthorization, redact } from "./connection";
import { guardedFetch, type GuardOptions } from "./fetch";

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface TokenRequest {
  /** The cache key: one token per connection. */
  readonly connectionId: string;
  readonly tokenUrl: string;
  readonly scope: string | undefined;
  readonly credentials: ClientCredentials;
  /** The connection's guard (allowHosts, lookup): the token endpoint is reached like any other host. */
  readonly guard: GuardOptions;
  readonly signal: AbortSignal;
}

interface CachedToken {
  /** Which credentials, endpoint and scope the token was issued for: a change asks for a new one. */
  readonly fingerprint: string;
  readonly accessToken: string;
  /** Epoch ms after which the token is not used any more. */
  readonly refreshAt: number;
}

/** A token issued without `expires_in` (it is only RECOMMENDED, §5.1) is kept this long. */
const DEFAULT_LIFETIME_MS = 5 * 60_000;
/** A token is replaced this long before it expires, at most half its lifetime. */
const EXPIRY_MARGIN_MS = 60_000;

/** RFC 6749 §5.1 successful response; `expires_in` is a number, but some servers send a string. */
const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.coerce.number().positive().optional(),
});

/** RFC 6749 §5.2 error response. */
const tokenError = z.object({ error: z.string(), error_description: z.string().optional() });

/**
 * Client authentication with HTTP Basic (§2.3.1): the id and secret are form-urlencoded (Appendix B)
 * before they are joined, so a ":" in a client id cannot shift the split.
 */
function clientAuthorization({ clientId, clientSecret }: ClientCredentials): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return basicAuthorization(encode(clientId), encode(clientSecret));
}

export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A valid access token for the connection: the cached one, or a new one from the token endpoint. */
  async token(request: TokenRequest): Promise<string> {
    const fingerprint = fingerprintOf(request);
    const cached = this.tokens.get(request.connectionId);
    if (cached && cached.fingerprint === fingerprint && this.now() < cached.refreshAt)
      return cached.accessToken;
    // Concurrent calls of one connection share one token request.
    let pending = this.pending.get(request.connectionId);
    if (!pending) {
      pending = this.fetchToken(request, fingerprint).finally(() =>
        this.pending.delete(request.connectionId),
      );
      this.pending.set(request.connectionId, pending);
    }
    return (await pending).accessToken;
  }

  /** Drops the connection's token, after the API refused it (revoked, or expired early). */
  forget(connectionId: string, accessToken: string): void {
    if (this.tokens.get(connectionId)?.accessToken === accessToken) this.tokens.delete(connectionId);
  }

  private async fetchToken(request: TokenRequest, fingerprint: string): Promise<CachedToken> {
    const { credentials } = request;
    const secrets = [credentials.clientSecret];
    const host = new URL(request.tokenUrl).host;
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (request.scope !== undefined && request.scope !== "") form.set("scope", request.scope);
    const issuedAt = this.now();
    const response = await guardedFetch(
      request.tokenUrl,
      {
        method: "POST",
        headers: {
          authorization: clientAuthorization(credentials),
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: form.toString(),
        signal: request.signal,
      },
      { ...request.guard, maxResponseBytes: 64 * 1024, credentialHeaders: [] },
    );

    let body: unknown = null;
    try {
      body = response.json();
    } catch {
      // Not JSON: described by status below.
    }
    if (response.status !== 200) {
      const error = tokenError.safeParse(body);
      if (error.success && (response.status === 400 || response.status === 401)) {
        // The server's words, redacted and bounded: they end up in an error a person reads.
        const words = (text: string, max: number) => redact(text, secrets).slice(0, max);
        const detail = error.data.error_description ? ` (${words(error.data.error_description, 200)})` : "";
        throw new AppError(
          "UNAUTHORIZED",
          `The token endpoint at ${host} refused to issue a token: ${words(error.data.error, 100)}${detail}`,
        );
      }
      throw new AppError(
        response.status === 401 ? "UNAUTHORIZED" : "UNAVAILABLE",
        `The token endpoint at ${host} answered HTTP ${response.status} instead of an access token`,
      );
    }
    const token = tokenResponse.safeParse(body);
    if (!token.success) {
      throw new AppError("UNAVAILABLE", `The token endpoint at ${host} did not answer with an access token`);
    }
    // §7.1: a client must not use a token type it does not understand; Bearer is RFC 6750's.
    if (token.data.token_type.toLowerCase() !== "bearer") {
      throw new AppError(
        "UNAVAILABLE",
        `The token endpoint at ${host} issued a "${token.data.token_type}" token; only Bearer tokens are supported`,
      );
    }
    const lifetimeMs =
      token.data.expires_in === undefined ? DEFAULT_LIFETIME_MS : token.data.expires_in * 1000;
    const cached: CachedToken = {
      fingerprint,
      accessToken: token.data.access_token,
      refreshAt: issuedAt + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 2),
    };
    this.tokens.set(request.connectionId, cached);
    return cached;
  }
}

function fingerprintOf(request: TokenRequest): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        request.tokenUrl,
        request.scope ?? "",
        request.credentials.clientId,
        request.credentials.clientSecret,
      ]),
    )
    .digest("hex");
}

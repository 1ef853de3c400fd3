import { AppError, parsed } from "@/server/errors";
import { defineDriver, type DriverContext, type DryRun } from "../sdk";
import { parsedConnection, type ParsedConnection } from "./connection";
import { guardedFetch, type GuardOptions, type GuardedResponse, type Resolver } from "./fetch";
import {
  httpConfig,
  httpCredentials,
  httpGetInput,
  httpManifest,
  httpSendInput,
  type HttpConfig,
  type HttpCredentials,
} from "./manifest";
import { TokenCache } from "./oauth2";
import { callerHeaders, targetUrl, toOutput, type ResponseOutput } from "./request";

type Connection = ParsedConnection<HttpConfig, HttpCredentials>;

/** Each request (and the token request) gets this long; the action's time limit bounds the whole call. */
const REQUEST_TIMEOUT_MS = 25_000;
const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

export interface HttpDriverDeps {
  /** Replaces DNS (tests point public-looking names at loopback, as in fetch.integration.test.ts). */
  readonly lookup?: Resolver;
  readonly tokens?: TokenCache;
}

interface Outgoing {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** The header that carries the credential and the value for it; OAuth tokens come from the cache. */
async function authorize(
  connection: Connection,
  tokens: TokenCache,
  guard: GuardOptions,
  signal: AbortSignal,
): Promise<{ header: string; value: string; secret: string }> {
  const { config, credentials } = connection;
  if (config.auth === "api_key") {
    if (!("apiKey" in credentials))
      throw new AppError(
        "BAD_REQUEST",
        "This HTTP connection signs in with an API key, but its credentials are a client id and secret",
      );
    const bearer = config.apiKeyHeader.toLowerCase() === "authorization";
    return {
      header: config.apiKeyHeader.toLowerCase(),
      value: bearer ? `Bearer ${credentials.apiKey}` : credentials.apiKey,
      secret: credentials.apiKey,
    };
  }
  if (!("clientId" in credentials))
    throw new AppError(
      "BAD_REQUEST",
      "This HTTP connection signs in with OAuth 2.0, but its credentials are an API key",
    );
  if (config.tokenUrl === undefined)
    throw new AppError("BAD_REQUEST", "This HTTP connection has no token URL");
  const token = await tokens.token({
    connectionId: connection.id,
    tokenUrl: config.tokenUrl,
    scope: config.scope,
    credentials,
    guard,
    signal,
  });
  return { header: "authorization", value: `Bearer ${token}`, secret: token };
}

function secretsOf(credentials: HttpCredentials): string[] {
  return "apiKey" in credentials ? [credentials.apiKey] : [credentials.clientId, credentials.clientSecret];
}

/**
 * Sends one request with the connection's credential. With OAuth, a 401 means the token may have
 * been revoked or expired early: the token is dropped, a new one fetched, and the request sent once
 * more; a second 401 is the answer.
 */
async function sendAuthorized(
  connection: Connection,
  outgoing: Outgoing,
  deps: Required<Pick<HttpDriverDeps, "tokens">> & HttpDriverDeps,
  signal: AbortSignal,
): Promise<{ response: GuardedResponse; secrets: string[] }> {
  const { config } = connection;
  const guard: GuardOptions = {
    allowHosts: config.allowHosts,
    lookup: deps.lookup,
    timeoutMs: REQUEST_TIMEOUT_MS,
    maxResponseBytes: MAX_RESPONSE_BYTES,
    credentialHeaders: config.auth === "api_key" ? [config.apiKeyHeader] : [],
  };
  const secrets = secretsOf(connection.credentials);
  const attempt = async () => {
    const auth = await authorize(connection, deps.tokens, guard, signal);
    secrets.push(auth.secret);
    const response = await guardedFetch(
      outgoing.url,
      {
        method: outgoing.method,
        headers: { ...outgoing.headers, [auth.header]: auth.value },
        body: outgoing.body,
        signal,
      },
      guard,
    );
    return { response, token: auth.secret };
  };

  let { response, token } = await attempt();
  if (response.status === 401 && config.auth === "oauth2_client_credentials") {
    deps.tokens.forget(connection.id, token);
    ({ response, token } = await attempt());
  }
  return { response, secrets };
}

/** Statuses that are not the API's answer to the call but a problem with the connection or the service. */
function checkStatus(response: GuardedResponse, method: string, url: URL): void {
  const what = `${method} ${url.pathname}`;
  if (response.status === 401)
    throw new AppError(
      "UNAUTHORIZED",
      `${url.host} refused the connection's credentials (HTTP 401 to ${what})`,
    );
  if (response.status === 429)
    throw new AppError(
      "RATE_LIMITED",
      `${url.host} is limiting requests (HTTP 429 to ${what}); try again later`,
    );
  if (response.status >= 500)
    throw new AppError("UNAVAILABLE", `${url.host} failed (HTTP ${response.status} to ${what})`);
}

async function call(
  connection: Connection,
  outgoing: Outgoing,
  deps: Required<Pick<HttpDriverDeps, "tokens">> & HttpDriverDeps,
  ctx: DriverContext,
): Promise<ResponseOutput> {
  const { response, secrets } = await sendAuthorized(connection, outgoing, deps, ctx.signal);
  checkStatus(response, outgoing.method, outgoing.url);
  return toOutput(response, secrets);
}

const connectionOf = (ctx: DriverContext) =>
  parsedConnection(ctx, "HTTP", { config: httpConfig, credentials: httpCredentials });

function outgoingSend(connection: Connection, rawInput: unknown, ctx: DriverContext): Outgoing {
  const input = parsed(httpSendInput, rawInput);
  const url = targetUrl(connection.config.baseUrl, input.path, input.query);
  const headers: Record<string, string> = {
    accept: "application/json",
    ...callerHeaders(input.headers, connection.config.apiKeyHeader),
  };
  // The kernel's key is stable across retries of one syscall, so the API can deduplicate too.
  if (ctx.idempotencyKey !== null) headers["idempotency-key"] = ctx.idempotencyKey;
  if (input.body === undefined) return { method: input.method, url, headers };
  headers["content-type"] = "application/json";
  return { method: input.method, url, headers, body: JSON.stringify(input.body) };
}

/** What a send would do: the request exactly as run would build it (a bad path is refused here too). */
function describeSend(connection: Connection, input: unknown, ctx: DriverContext): DryRun {
  const outgoing = outgoingSend(connection, input, ctx);
  const bytes = outgoing.body === undefined ? 0 : Buffer.byteLength(outgoing.body);
  const op = outgoing.method === "DELETE" ? "delete" : outgoing.method === "POST" ? "create" : "update";
  return {
    changes: [
      {
        op,
        object: `${outgoing.method} ${outgoing.url.href}`,
        fields: { method: { to: outgoing.method }, url: { to: outgoing.url.href }, bodyBytes: { to: bytes } },
      },
    ],
    warnings: [`Not reversible: what ${outgoing.url.host} does with this request cannot be undone by Tenet`],
  };
}

/** The generic HTTP connector's driver; `deps` exist for tests (DNS, the token cache's clock). */
export function createHttpDriver(deps: HttpDriverDeps = {}) {
  const full = { ...deps, tokens: deps.tokens ?? new TokenCache() };
  return defineDriver(
    httpManifest,
    {
      "http.get": {
        run: async (rawInput, ctx) => {
          const connection = connectionOf(ctx);
          const input = parsed(httpGetInput, rawInput);
          const url = targetUrl(connection.config.baseUrl, input.path, input.query);
          const headers = {
            accept: "application/json",
            ...callerHeaders(input.headers, connection.config.apiKeyHeader),
          };
          return call(connection, { method: "GET", url, headers }, full, ctx);
        },
      },
      "http.send": {
        run: async (input, ctx) => {
          const connection = connectionOf(ctx);
          return call(connection, outgoingSend(connection, input, ctx), full, ctx);
        },
        // Sends nothing, not even a token request.
        dryRun: (input, ctx) => Promise.resolve().then(() => describeSend(connectionOf(ctx), input, ctx)),
      },
    },
    {
      test: async (ctx) => {
        const connection = connectionOf(ctx);
        const url = targetUrl(connection.config.baseUrl, connection.config.testPath ?? "/", undefined);
        const outgoing = { method: "GET", url, headers: { accept: "application/json" } };
        const { response } = await sendAuthorized(connection, outgoing, full, ctx.signal);
        checkStatus(response, "GET", url);
        if (response.status !== 200)
          throw new AppError(
            "BAD_REQUEST",
            `HTTP ${response.status} from ${url.host} to GET ${url.pathname}; set a test path that answers 200`,
          );
        return `HTTP 200 from ${url.host}`;
      },
    },
  );
}

export const httpDriver = createHttpDriver();

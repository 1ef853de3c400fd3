/**
 * guardedFetch: the one way an outbound connector call reaches the network.
 *
 * Each hop (the first request and every redirect) is checked by the SSRF guard (ssrf.ts) after DNS
 * resolution: if ANY address the name resolves to is refused, the request is refused, since which
 * address the socket would use is not up to us. The connection is then made to the checked address
 * itself (a `lookup` that returns only it), so a DNS answer that changes between the check and the
 * connect (DNS rebinding) cannot redirect the socket. TLS still verifies the certificate against the
 * host name (SNI and checkServerIdentity use the URL's host, not the pinned address).
 *
 * Request headers and bodies are never logged or put in errors: they carry API keys and tokens.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { AppError } from "@/server/errors";
import { checkAddress, isHostAllowed, parseHost, refusalMessage } from "./ssrf";

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to every address it has (like `dns.promises.lookup(name, { all: true })`). */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface GuardedRequestInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  readonly signal?: AbortSignal;
}

export interface GuardOptions {
  /** The tenant's allowlist (ssrf.ts normalizeAllowedHost): these hosts are reached whatever their addresses. */
  readonly allowHosts?: readonly string[];
  /** Redirects followed before giving up; each one is checked like the first request. Default 5. */
  readonly maxRedirects?: number;
  /** For the whole call: DNS, every hop and reading the body. Default 30 s. */
  readonly timeoutMs?: number;
  /** The response body is refused beyond this size. Default 10 MiB. */
  readonly maxResponseBytes?: number;
  /**
   * Header names that carry credentials besides Authorization, Proxy-Authorization and Cookie (e.g. a
   * connector's `X-Api-Key`); all of them are dropped when a redirect leaves the request's origin.
   */
  readonly credentialHeaders?: readonly string[];
  /** Replaces DNS. For tests only, so they can point a public-looking name at a chosen address. */
  readonly lookup?: Resolver;
}

export interface GuardedResponse {
  /** The final URL, after redirects. */
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly redirected: boolean;
  readonly body: Buffer;
  text(): string;
  json(): unknown;
}

export const guardDefaults = {
  maxRedirects: 5,
  timeoutMs: 30_000,
  maxResponseBytes: 10 * 1024 * 1024,
} as const;

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const alwaysCredentialHeaders = ["authorization", "proxy-authorization", "cookie"];
/** Headers that describe a request body (Fetch standard's "request-body-header names"). */
const bodyHeaders = [
  "content-type",
  "content-length",
  "content-encoding",
  "content-language",
  "content-location",
];

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true });

/** An address a hop may connect to, after the guard's checks. */
export interface Destination {
  readonly address: string;
  readonly family: 4 | 6;
}

/**
 * Checks a URL against the SSRF guard and returns the address to connect to; throws a FORBIDDEN
 * AppError naming the host and why when it is refused.
 */
export async function checkDestination(
  url: URL,
  options: Pick<GuardOptions, "allowHosts" | "lookup"> = {},
  signal?: AbortSignal,
): Promise<Destination> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AppError("BAD_REQUEST", `Only http and https URLs can be fetched, not ${url.protocol}`);
  }
  const allowed = isHostAllowed(url, options.allowHosts ?? []);
  const host = parseHost(url.hostname);
  if (host.kind === "ip") {
    const check = checkAddress(host.address);
    if (!allowed && !check.allowed) throw new AppError("FORBIDDEN", refusalMessage(url.hostname, check));
    return { address: host.address, family: host.family };
  }

  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await abortable((options.lookup ?? systemResolver)(host.name), signal);
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new AppError("UNAVAILABLE", `Could not resolve ${url.hostname} (${errorCode(cause)})`, { cause });
  }
  if (!allowed) {
    for (const { address } of addresses) {
      const check = checkAddress(address);
      if (!check.allowed) throw new AppError("FORBIDDEN", refusalMessage(url.hostname, check));
    }
  }
  const first = addresses[0];
  if (first === undefined)
    throw new AppError("UNAVAILABLE", `Could not resolve ${url.hostname} (no addresses)`);
  return { address: first.address.split("%")[0] ?? first.address, family: first.family === 6 ? 6 : 4 };
}

/**
 * Fetches an http(s) URL through the SSRF guard, following up to `maxRedirects` redirects (each
 * re-checked), and reads the whole body (up to `maxResponseBytes`). Refusals are FORBIDDEN AppErrors,
 * bad URLs BAD_REQUEST, network failures, timeouts and oversized or looping responses UNAVAILABLE.
 * Any HTTP status is returned as a response, not thrown.
 */
export async function guardedFetch(
  input: string | URL,
  init: GuardedRequestInit = {},
  options: GuardOptions = {},
): Promise<GuardedResponse> {
  const maxRedirects = options.maxRedirects ?? guardDefaults.maxRedirects;
  const timeoutMs = options.timeoutMs ?? guardDefaults.timeoutMs;
  const maxResponseBytes = options.maxResponseBytes ?? guardDefaults.maxResponseBytes;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;

  let url = parseUrl(input);
  const headers = new Headers(init.headers);
  // Credentials in the URL become Basic auth, so that they are dropped with Authorization on a
  // cross-origin redirect rather than follow the URL object around.
  if (url.username !== "" || url.password !== "") {
    if (!headers.has("authorization")) {
      const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.set("authorization", `Basic ${Buffer.from(user).toString("base64")}`);
    }
    url.username = "";
    url.password = "";
  }
  let method = (init.method ?? "GET").toUpperCase();
  let body = init.body;
  const credentialHeaders = [
    ...alwaysCredentialHeaders,
    ...(options.credentialHeaders ?? []).map((h) => h.toLowerCase()),
  ];

  for (let redirects = 0; ; redirects++) {
    const host = url.host;
    let response: IncomingMessage;
    try {
      const destination = await checkDestination(url, options, signal);
      response = await send(url, destination, method, headers, body, signal);
    } catch (error) {
      throw networkError(host, error, timeout, timeoutMs);
    }

    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (!redirectStatuses.has(status) || location === undefined) {
      let responseBody: Buffer;
      try {
        responseBody = await readBody(response, maxResponseBytes, host);
      } catch (error) {
        throw networkError(host, error, timeout, timeoutMs);
      }
      return toResponse(url, response, responseBody, redirects > 0);
    }

    // A redirect: its body is not read, and the connection is not kept (agent: false).
    response.destroy();
    if (redirects >= maxRedirects) {
      throw new AppError("UNAVAILABLE", `Too many redirects from ${host} (more than ${maxRedirects})`);
    }
    const next = redirectTarget(url, location);
    if (next.origin !== url.origin) for (const name of credentialHeaders) headers.delete(name);
    // Fetch standard, HTTP-redirect fetch step 12: 303 (and 301/302 after POST) become a GET without a body.
    if ((status === 303 && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
      for (const name of bodyHeaders) headers.delete(name);
    }
    url = next;
  }
}

function parseUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch (cause) {
    throw new AppError("BAD_REQUEST", "Not a valid URL", { cause });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AppError("BAD_REQUEST", `Only http and https URLs can be fetched, not ${url.protocol}`);
  }
  return url;
}

function redirectTarget(from: URL, location: string): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch (cause) {
    throw new AppError("UNAVAILABLE", `${from.host} sent a redirect to an invalid URL`, { cause });
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") {
    throw new AppError(
      "FORBIDDEN",
      `Refused to follow a redirect from ${from.host} to a ${next.protocol} URL: only http and https are allowed`,
    );
  }
  // Credentials chosen by the remote server are never sent.
  next.username = "";
  next.password = "";
  return next;
}

function send(
  url: URL,
  destination: Destination,
  method: string,
  headers: Headers,
  body: string | Uint8Array | undefined,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  // Node's connect asks with `all: true` when it may race address families (autoSelectFamily).
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [destination]);
    else callback(null, destination.address, destination.family);
  };
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      { method, headers: Object.fromEntries(headers), lookup: pinned, agent: false, signal },
      resolve,
    );
    request.on("error", reject);
    request.end(body);
  });
}

async function readBody(response: IncomingMessage, maxBytes: number, host: string): Promise<Buffer> {
  const tooLarge = () => {
    response.destroy();
    return new AppError("UNAVAILABLE", `The response from ${host} is larger than ${maxBytes} bytes`);
  };
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function toResponse(url: URL, response: IncomingMessage, body: Buffer, redirected: boolean): GuardedResponse {
  return {
    url: url.href,
    status: response.statusCode ?? 0,
    statusText: response.statusMessage ?? "",
    headers: toHeaders(response.headers),
    redirected,
    body,
    text: () => body.toString("utf8"),
    json: (): unknown => JSON.parse(body.toString("utf8")),
  };
}

function toHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/** Node's network errors carry a code (ECONNREFUSED, ENOTFOUND); only the code reaches the message. */
function errorCode(error: unknown): string {
  if (error instanceof Error && "code" in error && typeof error.code === "string") return error.code;
  return "network error";
}

function networkError(host: string, error: unknown, timeout: AbortSignal, timeoutMs: number): AppError {
  if (error instanceof AppError) return error;
  if (timeout.aborted) {
    return new AppError("UNAVAILABLE", `${host} did not answer within ${timeoutMs} ms`, { cause: error });
  }
  if (error instanceof Error && error.name === "AbortError") {
    return new AppError("UNAVAILABLE", `The request to ${host} was cancelled`, { cause: error });
  }
  return new AppError("UNAVAILABLE", `Could not reach ${host} (${errorCode(error)})`, { cause: error });
}

/** DNS lookups cannot be cancelled; the caller stops waiting for one when the signal aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error("Aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

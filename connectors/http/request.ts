/**
 * The generic HTTP connector's request rules, as pure functions: which URL a call's `path` names
 * (never one outside the connection's base URL), which headers a caller may set (never the ones that
 * carry identity or frame the message), and what of a response goes back to the caller.
 */
import { z } from "zod";
import { AppError } from "@/server/errors";
import { redact } from "./connection";

/** RFC 9110 §5.1 field-name token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Headers a caller may not set. Identity is the connection's (Authorization, Cookie, …); Host would
 * let a caller address another virtual host behind the same address; the rest frame the message, and
 * a caller choosing them could smuggle a second request.
 */
export const FORBIDDEN_HEADERS: readonly string[] = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "upgrade",
  "expect",
];

export const requestHeaders = z
  .record(
    z.string().regex(HEADER_NAME, "Not a valid header name"),
    z
      .string()
      .max(8192)
      .regex(/^[^\r\n\0]*$/, "Header values cannot contain line breaks"),
  )
  .superRefine((headers, issues) => {
    for (const name of Object.keys(headers)) {
      if (FORBIDDEN_HEADERS.includes(name.toLowerCase()))
        issues.addIssue({
          code: "custom",
          path: [name],
          message: `${name} cannot be set by the caller: the connection decides it`,
        });
    }
  });

const queryValue = z.union([z.string(), z.number(), z.boolean()]);
export const requestQuery = z.record(z.string().min(1), z.union([queryValue, z.array(queryValue)]));

/**
 * A path under the base URL. Dot segments are refused in every spelling (`..`, `%2e%2e`, `.%2E`), and
 * so are encoded slashes and backslashes: servers that decode them before routing would resolve a
 * path the guard never saw.
 */
export const requestPath = z
  .string()
  .min(1, "Give a path, like /users")
  .max(2048, "Use at most 2048 characters")
  .superRefine((path, issues) => {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    if (/[\u0000-\u001f\u007f\\]/.test(path))
      issues.addIssue({
        code: "custom",
        message: "The path cannot contain backslashes or control characters",
      });
    if (/%(2f|5c)/i.test(path))
      issues.addIssue({ code: "custom", message: "The path cannot contain encoded slashes (%2F, %5C)" });
    const pathPart = path.split(/[?#]/)[0] ?? "";
    const segments = pathPart.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "").split("/");
    if (segments.some((s) => /^(\.|%2e){1,2}$/i.test(s)))
      issues.addIssue({ code: "custom", message: 'The path cannot contain "." or ".." segments' });
    if (path.includes("#")) issues.addIssue({ code: "custom", message: "Remove the #fragment" });
  });

/**
 * The URL a call reaches: `path` joined to the base URL's path (`/users` under
 * `https://api.example.com/v2` is `https://api.example.com/v2/users`). An absolute URL is accepted
 * only inside the base URL (same origin, under its path); anything else is refused.
 */
export function targetUrl(
  baseUrl: string,
  path: string,
  query: z.output<typeof requestQuery> | undefined,
): URL {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith("//");
  let url: URL;
  try {
    url = absolute ? new URL(path) : new URL(`${basePath}/${path.replace(/^\/+/, "")}`, base.origin);
  } catch (cause) {
    throw new AppError("BAD_REQUEST", "path: not a valid path or URL", {
      cause,
      fields: { path: ["Not a valid path"] },
    });
  }
  url.search = absolute || path.includes("?") ? url.search : base.search;
  const inside =
    url.origin === base.origin &&
    (url.pathname === basePath || url.pathname.startsWith(`${basePath}/`) || basePath === "");
  if (!inside) {
    const message = `${url.origin}${url.pathname} is outside the connection's base URL ${base.origin}${basePath}/`;
    throw new AppError("FORBIDDEN", `path: ${message}`, { fields: { path: [message] } });
  }
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(v));
  }
  return url;
}

/** A caller's headers, refusing the connection's own credential header (e.g. X-API-Key) too. */
export function callerHeaders(
  headers: Readonly<Record<string, string>> | undefined,
  credentialHeader: string,
) {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === credentialHeader.toLowerCase() || FORBIDDEN_HEADERS.includes(lower)) {
      const message = `${name} cannot be set by the caller: the connection decides it`;
      throw new AppError("BAD_REQUEST", `headers.${name}: ${message}`, {
        fields: { [`headers.${name}`]: [message] },
      });
    }
    result[lower] = value;
  }
  return result;
}

/** Response headers a caller gets back: the ones that describe the result, never cookies. */
const RETURNED_HEADERS = [
  "content-type",
  "content-length",
  "location",
  "etag",
  "last-modified",
  "retry-after",
  "link",
  "x-request-id",
  "request-id",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
];

/** Bodies are returned up to this many bytes; beyond it, as truncated text. */
export const RETURNED_BODY_BYTES = 64 * 1024;

const jsonValue = z.json();

export const responseOutput = z.object({
  status: z.number().int(),
  /** The final URL, after redirects. */
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  bodyFormat: z.enum(["json", "text", "binary", "empty"]),
  /** Parsed JSON, text, or null for binary and empty bodies. */
  body: jsonValue,
  /** Whether the body was cut at RETURNED_BODY_BYTES (it is then text, even if it was JSON). */
  truncated: z.boolean(),
});
export type ResponseOutput = z.output<typeof responseOutput>;

const isJson = (contentType: string) => /[/+]json\b/i.test(contentType);
const isText = (contentType: string) =>
  /^text\//i.test(contentType) || /xml|javascript|x-www-form-urlencoded|csv|yaml/i.test(contentType);

/**
 * What a call returns of a response. `secrets` (the connection's key or token) are redacted from the
 * body first: an API that reflects request headers back must not hand the credential to the caller.
 */
export function toOutput(
  response: { status: number; url: string; headers: Headers; body: Buffer },
  secrets: readonly string[],
): ResponseOutput {
  const headers: Record<string, string> = {};
  for (const name of RETURNED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = redact(value, secrets);
  }
  const base = { status: response.status, url: response.url, headers };
  const contentType = response.headers.get("content-type") ?? "";
  const bytes = response.body;
  if (bytes.length === 0) return { ...base, bodyFormat: "empty", body: null, truncated: false };
  const textual = isJson(contentType) || isText(contentType) || (contentType === "" && !bytes.includes(0));
  if (!textual) return { ...base, bodyFormat: "binary", body: null, truncated: false };

  const truncated = bytes.length > RETURNED_BODY_BYTES;
  // A cut inside a multi-byte character leaves a replacement character at the end; it is dropped.
  const text = redact(new TextDecoder().decode(bytes.subarray(0, RETURNED_BODY_BYTES)), secrets);
  if (truncated) return { ...base, bodyFormat: "text", body: text.replace(/\uFFFD$/, ""), truncated };
  if (isJson(contentType)) {
    try {
      const parsed: unknown = JSON.parse(text);
      return { ...base, bodyFormat: "json", body: jsonValue.parse(parsed), truncated: false };
    } catch {
      // Declared JSON that is not: returned as the text it is.
    }
  }
  return { ...base, bodyFormat: "text", body: text, truncated: false };
}

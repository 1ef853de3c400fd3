/**
 * A stand-in for an OpenAI-compatible model server, on loopback HTTP, for tests and benchmarks: it
 * speaks the chat-completions protocol (`POST /v1/chat/completions`, `GET /v1/models`, Bearer keys,
 * OpenAI-shaped error bodies), takes time in proportion to the tokens it "generates", and enforces the
 * limits a real provider enforces: a number of requests it serves at once (`capacity`) and requests-
 * and tokens-per-minute quotas. Beyond any of them it answers 429 with `Retry-After` (seconds) and
 * `retry-after-ms`, as OpenAI does. Answers are deterministic: the same request gets the same text.
 *
 * Everything it promises is measured at the server and reported by `stats()`, so a test or benchmark
 * can check that a client never exceeded a limit: most requests in flight at once, and most requests
 * and tokens accepted within any window of `windowMs` (60 s unless a benchmark scales time down).
 *
 * Rate limits are a sliding window, not a token bucket: a request is accepted only if the requests
 * (and tokens) accepted in the `windowMs` before it, plus its own, stay within the limit. That is the
 * stricter of the two common schemes: a client that stays within a sliding window of N per minute also
 * stays within a token bucket holding N and refilled at N per minute (the scheme OpenAI and Anthropic
 * describe), while the converse does not hold (a full bucket plus its refill admits up to 2N in one
 * minute). Tokens are counted the way OpenAI counts them against its limit: on arrival, the prompt's
 * estimate plus `max_tokens`, using the same estimator as the providers (./provider.ts). Requests
 * refused with an error consume no quota.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { z } from "zod";
import { estimatePromptTokens } from "./provider";

export type MockOpenAIOptions = {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** When set, every request must carry `Authorization: Bearer <apiKey>`; otherwise 401. */
  apiKey?: string;
  /** Time per completion token; an answer takes baseLatencyMs + latencyPerTokenMs × completion tokens. */
  latencyPerTokenMs: number;
  baseLatencyMs?: number;
  /** Requests served at once; one more is refused with 429 until one of them is answered. */
  capacity: number;
  /** Requests accepted per window (`windowMs`, a minute by default); unlimited when unset. */
  requestsPerMinute?: number;
  /** Tokens (prompt estimate + max_tokens) accepted per window; unlimited when unset. */
  tokensPerMinute?: number;
  /** The rate-limit window: 60 000 ms like a provider's; benchmarks that scale time down shrink it. */
  windowMs?: number;
  /**
   * How many tokens an answer has: "max" (the default) exactly `max_tokens`, finishing with "length";
   * "varied" a number between half of `max_tokens` and all of it, derived from the request.
   * Without `max_tokens`, 16 to 64, derived from the request.
   */
  completionTokens?: "max" | "varied";
  /** Keep a log entry per chat completion (default true); turn it off for long benchmark runs. */
  log?: boolean;
  /** What `GET /v1/models` lists; any model name is accepted by chat completions. */
  models?: string[];
};

export type MockRequestLogEntry = {
  /** Epoch milliseconds (fractional) when the request arrived. */
  arrivalMs: number;
  /** When it was accepted and began; null when it was refused. */
  startMs: number | null;
  /** When it was answered (or the client went away). */
  endMs: number;
  /** The HTTP status it got; 499 when the client went away first (nginx's convention). */
  status: number;
  promptTokens: number;
  completionTokens: number;
  /** What it counted against tokensPerMinute (prompt estimate + max_tokens); 0 when refused. */
  reservedTokens: number;
  /** Why a 429 refused it. */
  rejectedFor: "capacity" | "requests" | "tokens" | null;
};

export type MockOpenAIStats = {
  /** Chat-completion requests received, whatever became of them. */
  requests: number;
  /** Answered 200. */
  served: number;
  /** Answered 429, for any of the three reasons below. */
  rejected429: number;
  rejectedForCapacity: number;
  rejectedForRequestsPerMinute: number;
  rejectedForTokensPerMinute: number;
  /** Answered 401 (missing or wrong key). */
  unauthorized: number;
  /** Answered 400 or 413 (malformed or too large). */
  invalid: number;
  /** Answered with a status set by `failNext`. */
  injectedFailures: number;
  /** Accepted, but the client disconnected before the answer. */
  aborted: number;
  /** Being served now. */
  inFlight: number;
  maxConcurrentObserved: number;
  /** The most requests accepted within any window of `windowMs`. */
  maxRequestsInWindow: number;
  /** The most tokens (prompt estimate + max_tokens) accepted within any window of `windowMs`. */
  maxTokensInWindow: number;
  windowMs: number;
  /** Sums over the requests answered 200. */
  promptTokens: number;
  completionTokens: number;
  /** One entry per chat-completion request, oldest first (empty when `log: false`). */
  log: readonly MockRequestLogEntry[];
};

export type MockOpenAI = {
  /** The API's base URL, ending in /v1, as OpenAI clients take it. */
  url: string;
  stats(): MockOpenAIStats;
  /** Zeroes the counters, maxima and log. The rate limits' windows carry on, as a provider's would. */
  resetStats(): void;
  /** The next `count` chat completions that would be accepted are answered `status` instead (500 by default). */
  failNext(count: number, status?: number): void;
  /** Accepted requests stay in flight, unanswered, until `release()`; lets tests fill the capacity. */
  hold(): void;
  /** Starts the held requests' answers (their latency counts from now) and stops holding. */
  release(): void;
  close(): Promise<void>;
};

/** The largest max_tokens accepted, as a real model has a ceiling; also sizes the filler text. */
const MAX_COMPLETION_TOKENS = 32_768;
/** Request bodies above this are refused with 413, before parsing. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const maxTokens = z.number().int().min(1).max(MAX_COMPLETION_TOKENS);
const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });
const chatRequest = z.looseObject({
  model: z.string().min(1),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(["system", "developer", "user", "assistant", "tool"]),
        content: z.union([z.string(), z.array(contentPart)]).nullish(),
      }),
    )
    .min(1),
  max_tokens: maxTokens.nullish(),
  max_completion_tokens: maxTokens.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  stream: z.boolean().nullish(),
});
type ChatRequest = z.infer<typeof chatRequest>;

type OpenAIErrorBody = { message: string; type: string; param: string | null; code: string | null };

/** A request accepted and not yet answered; there are never more than `capacity` of them. */
type InFlight = {
  res: ServerResponse;
  timer: NodeJS.Timeout | null;
  /** performance.now() at which it will be answered; Infinity while held. */
  dueAt: number;
  latencyMs: number;
  /** The answer, serialized when the request was accepted. */
  json: string;
  entry: MockRequestLogEntry;
};

/**
 * The requests and tokens accepted in the last `windowMs`, oldest first: an acceptance at t counts
 * for every instant before t + windowMs. Entries leave from the front, so memory is bounded by what
 * one window admits.
 */
class SlidingWindow {
  #times: number[] = [];
  #tokens: number[] = [];
  #head = 0;
  count = 0;
  tokens = 0;

  constructor(readonly windowMs: number) {}

  expire(now: number): void {
    const times = this.#times;
    while (this.#head < times.length && (times[this.#head] ?? 0) + this.windowMs <= now) {
      this.tokens -= this.#tokens[this.#head] ?? 0;
      this.#head++;
      this.count--;
    }
    // Drop the expired prefix now and then, so the arrays do not grow with every request ever seen.
    if (this.#head > 1024 && this.#head * 2 > times.length) {
      this.#times = times.slice(this.#head);
      this.#tokens = this.#tokens.slice(this.#head);
      this.#head = 0;
    }
  }

  add(now: number, tokens: number): void {
    this.#times.push(now);
    this.#tokens.push(tokens);
    this.count++;
    this.tokens += tokens;
  }

  /** Milliseconds until at most `maxCount - 1` acceptances remain in the window (after expire). */
  untilCountBelow(now: number, maxCount: number): number {
    const at = this.#times[this.#head + this.count - maxCount] ?? now;
    return at + this.windowMs - now;
  }

  /** Milliseconds until `tokens` more fit under `limit`, or null if they never will. */
  untilTokensFit(now: number, tokens: number, limit: number): number | null {
    if (tokens > limit) return null;
    let remaining = this.tokens;
    for (let i = this.#head; i < this.#times.length && remaining + tokens > limit; i++) {
      remaining -= this.#tokens[i] ?? 0;
      if (remaining + tokens <= limit) return (this.#times[i] ?? now) + this.windowMs - now;
    }
    return 0;
  }
}

/** FNV-1a: a cheap, deterministic hash of the request body that picks the answer. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const WORDS =
  "the agent checked the request against policy and found the room free so it booked it for the team " +
  "then it wrote a short note to the requester with the details and the time of the meeting ";
let filler = "";
/** ASCII text long enough for any answer at any offset; built once, on first use. */
function fillerText(): string {
  if (!filler) filler = WORDS.repeat(Math.ceil((MAX_COMPLETION_TOKENS * 4 + 1024) / WORDS.length));
  return filler;
}

/** The prompt as text, for the token estimate: text parts of multi-part messages count, images do not. */
function promptMessages(body: ChatRequest) {
  return body.messages.map((m) => ({
    content:
      typeof m.content === "string" ? m.content : (m.content ?? []).map((part) => part.text ?? "").join(""),
  }));
}

export async function startMockOpenAI(options: MockOpenAIOptions): Promise<MockOpenAI> {
  const windowMs = options.windowMs ?? 60_000;
  const baseLatencyMs = options.baseLatencyMs ?? 0;
  const keepLog = options.log ?? true;
  const models = options.models ?? ["gpt-4o-mini", "tenet-mock-1"];
  if (!(options.capacity >= 1)) throw new Error("capacity must be at least 1");

  /** The limits' memory: outlives resetStats, as a provider's does. */
  const quota = new SlidingWindow(windowMs);
  /** The same acceptances, for the maxima reported since the last resetStats. */
  let observed = new SlidingWindow(windowMs);
  const inFlight = new Set<InFlight>();
  let holding = false;
  const held: InFlight[] = [];
  let failures = { count: 0, status: 500 };
  let sequence = 0;

  const emptyStats = (): MockOpenAIStats => ({
    requests: 0,
    served: 0,
    rejected429: 0,
    rejectedForCapacity: 0,
    rejectedForRequestsPerMinute: 0,
    rejectedForTokensPerMinute: 0,
    unauthorized: 0,
    invalid: 0,
    injectedFailures: 0,
    aborted: 0,
    inFlight: inFlight.size,
    maxConcurrentObserved: inFlight.size,
    maxRequestsInWindow: 0,
    maxTokensInWindow: 0,
    windowMs,
    promptTokens: 0,
    completionTokens: 0,
    log: [],
  });
  let counters = emptyStats();
  let log: MockRequestLogEntry[] = [];

  const epoch = (now: number) => performance.timeOrigin + now;

  function sendJson(res: ServerResponse, status: number, json: string, headers: Record<string, string> = {}) {
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(json),
      ...headers,
    });
    res.end(json);
  }

  function sendError(
    res: ServerResponse,
    status: number,
    error: OpenAIErrorBody,
    headers?: Record<string, string>,
  ) {
    sendJson(res, status, JSON.stringify({ error }), headers);
  }

  const invalidRequest = (message: string, param: string | null = null): OpenAIErrorBody => ({
    message,
    type: "invalid_request_error",
    param,
    code: null,
  });

  function finish(entry: MockRequestLogEntry, status: number) {
    entry.status = status;
    entry.endMs = epoch(performance.now());
  }

  /** OpenAI's rate-limit headers, sent with every chat completion answer when limits are set. */
  function rateHeaders(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (options.requestsPerMinute !== undefined) {
      headers["x-ratelimit-limit-requests"] = String(options.requestsPerMinute);
      headers["x-ratelimit-remaining-requests"] = String(
        Math.max(0, options.requestsPerMinute - quota.count),
      );
    }
    if (options.tokensPerMinute !== undefined) {
      headers["x-ratelimit-limit-tokens"] = String(options.tokensPerMinute);
      headers["x-ratelimit-remaining-tokens"] = String(Math.max(0, options.tokensPerMinute - quota.tokens));
    }
    return headers;
  }

  function refuse(
    res: ServerResponse,
    entry: MockRequestLogEntry,
    reason: "capacity" | "requests" | "tokens",
    waitMs: number | null,
    message: string,
  ) {
    counters.rejected429++;
    if (reason === "capacity") counters.rejectedForCapacity++;
    else if (reason === "requests") counters.rejectedForRequestsPerMinute++;
    else counters.rejectedForTokensPerMinute++;
    entry.rejectedFor = reason;
    finish(entry, 429);
    const headers = rateHeaders();
    if (waitMs !== null) {
      const ms = Math.max(1, Math.ceil(waitMs));
      // Retry-After carries whole seconds only (RFC 9110 §10.2.3); retry-after-ms is OpenAI's precise form.
      headers["retry-after"] = String(Math.ceil(ms / 1000));
      headers["retry-after-ms"] = String(ms);
    }
    const type = reason === "capacity" ? "server_overloaded" : reason;
    sendError(res, 429, { message, type, param: null, code: "rate_limit_exceeded" }, headers);
  }

  function answer(request: InFlight) {
    inFlight.delete(request);
    const { entry } = request;
    counters.served++;
    counters.promptTokens += entry.promptTokens;
    counters.completionTokens += entry.completionTokens;
    finish(entry, 200);
    sendJson(request.res, 200, request.json, rateHeaders());
  }

  function schedule(request: InFlight, now: number) {
    request.dueAt = now + request.latencyMs;
    request.timer = setTimeout(() => answer(request), request.latencyMs);
  }

  /** A chat completion whose caller is authorized: checked, admitted against the limits, answered later. */
  function completions(res: ServerResponse, raw: string, entry: MockRequestLogEntry) {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      counters.invalid++;
      finish(entry, 400);
      return sendError(
        res,
        400,
        invalidRequest(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
        ),
      );
    }
    const parsed = chatRequest.safeParse(json);
    if (!parsed.success || parsed.data.stream) {
      const issue = parsed.success ? undefined : parsed.error.issues[0];
      const param = issue ? issue.path.map(String).join(".") : "stream";
      counters.invalid++;
      finish(entry, 400);
      return sendError(
        res,
        400,
        invalidRequest(
          issue
            ? `Invalid value for '${param}': ${issue.message}`
            : "This mock server answers only non-streaming chat completions.",
          param,
        ),
      );
    }
    const body = parsed.data;

    const hash = fnv1a(raw);
    const requested = body.max_completion_tokens ?? body.max_tokens ?? null;
    const completionTokens =
      requested === null
        ? 16 + (hash % 49)
        : options.completionTokens === "varied"
          ? requested - (hash % Math.ceil(requested / 2))
          : requested;
    const promptTokens = estimatePromptTokens(promptMessages(body));
    const reserved = promptTokens + (requested ?? completionTokens);

    const now = performance.now();
    quota.expire(now);
    const rpm = options.requestsPerMinute;
    if (rpm !== undefined && quota.count >= rpm)
      return refuse(
        res,
        entry,
        "requests",
        quota.untilCountBelow(now, rpm),
        `Rate limit reached for ${body.model} on requests per min (RPM): Limit ${rpm}, Used ${quota.count}, Requested 1.`,
      );
    const tpm = options.tokensPerMinute;
    if (tpm !== undefined && quota.tokens + reserved > tpm) {
      const wait = quota.untilTokensFit(now, reserved, tpm);
      // OpenAI refuses a request larger than the whole limit with 429 as well, with no time to wait for.
      return refuse(
        res,
        entry,
        "tokens",
        wait,
        wait === null
          ? `Request too large for ${body.model} on tokens per min (TPM): Limit ${tpm}, Requested ${reserved}. The input or output tokens must be reduced in order to run successfully.`
          : `Rate limit reached for ${body.model} on tokens per min (TPM): Limit ${tpm}, Used ${quota.tokens}, Requested ${reserved}.`,
      );
    }
    if (inFlight.size >= options.capacity) {
      let soonest = Number.POSITIVE_INFINITY;
      for (const other of inFlight) soonest = Math.min(soonest, other.dueAt);
      return refuse(
        res,
        entry,
        "capacity",
        // While answers are held no one knows when a place frees up; a second is a polite guess.
        Number.isFinite(soonest) ? soonest - now : 1000,
        `The server is serving its capacity of ${options.capacity} requests at once. Please retry after a short wait.`,
      );
    }
    if (failures.count > 0) {
      failures.count--;
      counters.injectedFailures++;
      finish(entry, failures.status);
      return sendError(res, failures.status, {
        message: "The server had an error while processing your request. Sorry about that!",
        type: "server_error",
        param: null,
        code: null,
      });
    }

    quota.add(now, reserved);
    observed.expire(now);
    observed.add(now, reserved);
    counters.maxRequestsInWindow = Math.max(counters.maxRequestsInWindow, observed.count);
    counters.maxTokensInWindow = Math.max(counters.maxTokensInWindow, observed.tokens);
    entry.startMs = epoch(now);
    entry.promptTokens = promptTokens;
    entry.completionTokens = completionTokens;
    entry.reservedTokens = reserved;

    // Four ASCII characters per token, so the providers' estimator counts exactly completionTokens.
    const offset = hash % 1024;
    const text = fillerText().slice(offset, offset + completionTokens * 4);
    const request: InFlight = {
      res,
      timer: null,
      dueAt: Number.POSITIVE_INFINITY,
      latencyMs: baseLatencyMs + options.latencyPerTokenMs * completionTokens,
      json: JSON.stringify({
        id: `chatcmpl-mock-${++sequence}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: text, refusal: null },
            logprobs: null,
            finish_reason: requested !== null && completionTokens === requested ? "length" : "stop",
          },
        ],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
        system_fingerprint: "fp_tenet_mock",
      }),
      entry,
    };
    inFlight.add(request);
    counters.maxConcurrentObserved = Math.max(counters.maxConcurrentObserved, inFlight.size);
    // A client that goes away frees its place, as a provider stops generating for a closed connection.
    res.once("close", () => {
      if (!inFlight.delete(request)) return;
      if (request.timer) clearTimeout(request.timer);
      const at = held.indexOf(request);
      if (at >= 0) held.splice(at, 1);
      counters.aborted++;
      finish(entry, 499);
    });
    if (holding) held.push(request);
    else schedule(request, now);
  }

  function authorized(req: IncomingMessage, res: ServerResponse): boolean {
    if (options.apiKey === undefined) return true;
    const header = req.headers.authorization;
    if (header === `Bearer ${options.apiKey}`) return true;
    // Like OpenAI's, minus the masked echo of the key: a test double has no reason to repeat secrets.
    sendError(res, 401, {
      message: header
        ? "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
        : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      type: "invalid_request_error",
      param: null,
      code: header ? "invalid_api_key" : null,
    });
    return false;
  }

  /** `raw` is null when the body was over MAX_BODY_BYTES. */
  function handle(req: IncomingMessage, res: ServerResponse, raw: string | null, arrival: number) {
    const path = (req.url ?? "/").split("?", 1)[0];
    if (req.method === "POST" && path === "/v1/chat/completions") {
      counters.requests++;
      const entry: MockRequestLogEntry = {
        arrivalMs: epoch(arrival),
        startMs: null,
        endMs: 0,
        status: 0,
        promptTokens: 0,
        completionTokens: 0,
        reservedTokens: 0,
        rejectedFor: null,
      };
      if (keepLog) log.push(entry);
      if (!authorized(req, res)) {
        counters.unauthorized++;
        return finish(entry, 401);
      }
      if (raw === null) {
        counters.invalid++;
        finish(entry, 413);
        return sendError(
          res,
          413,
          invalidRequest(`The request body is larger than ${MAX_BODY_BYTES} bytes.`),
        );
      }
      return completions(res, raw, entry);
    }
    if (req.method === "GET" && path === "/v1/models") {
      if (!authorized(req, res)) return;
      const data = models.map((id) => ({
        id,
        object: "model",
        created: 1_700_000_000,
        owned_by: "tenet-mock",
      }));
      return sendJson(res, 200, JSON.stringify({ object: "list", data }));
    }
    sendError(res, 404, invalidRequest(`Invalid URL (${req.method ?? "?"} ${path})`));
  }

  const server = createServer((req, res) => {
    const arrival = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () =>
      handle(req, res, size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString("utf8"), arrival),
    );
  });
  // A thousand agents may connect at once. The default backlog (511) would drop some connection
  // attempts, and the client's SYN retransmission after a drop takes a second: latency the server
  // never caused. (The kernel caps it at net.core.somaxconn.)
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1", backlog: 4096 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("The mock server is not on TCP");
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}/v1`,
    stats: () => ({ ...counters, inFlight: inFlight.size, log: log.slice() }),
    resetStats() {
      counters = emptyStats();
      log = [];
      observed = new SlidingWindow(windowMs);
    },
    failNext(count, status = 500) {
      failures = { count, status };
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      const now = performance.now();
      for (const request of held.splice(0)) schedule(request, now);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const request of inFlight) if (request.timer) clearTimeout(request.timer);
        inFlight.clear();
        held.length = 0;
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * One call to the app's Inngest endpoint (docs/engine-protocol.md §3.1–3.2): the request as the SDK expects
 * it (signed when there is a signing key) and its answer read as an outcome: the run completed, ops to
 * apply, or an error that may be retried.
 */
import type { Job } from "./queue";
import type { EngineEvent, SerializedError } from "./runs";
import { canonicalJson, signBody, verifySignature } from "./signing";
import { parseRetryAfter } from "./time";

export type CallConfig = {
  workerId: string;
  signingKeys: string[];
  callTimeoutMs: number;
};

/** An op in a 206 response (docs/engine-protocol.md §3.4). */
export type Op = {
  op: string;
  id: string;
  name?: string;
  displayName?: string;
  opts?: Record<string, unknown> | null;
  data?: unknown;
  error?: SerializedError;
};

export type CallOutcome =
  | { kind: "complete"; output: unknown }
  | { kind: "ops"; ops: Op[]; retryAt: Date | null }
  | { kind: "error"; error: SerializedError; retriable: boolean; retryAt: Date | null };

/** What a call needs of the run: its events, memoized steps, stack and how many steps are pending. */
export type RunState = {
  status: string;
  event: EngineEvent;
  events: EngineEvent[];
  stack: string[];
  max_attempts: number;
  url: string | null;
  steps: Record<string, unknown>;
  pending: number;
};

function callUrl(functionUrl: string, stepId: string | null): string {
  const url = new URL(functionUrl);
  url.searchParams.set("stepId", stepId ?? "step");
  return url.toString();
}

export async function send(cfg: CallConfig, job: Job, state: RunState): Promise<CallOutcome> {
  const payload = {
    event: state.event,
    events: state.events,
    steps: state.steps,
    ctx: {
      run_id: job.run_id,
      attempt: job.attempt,
      max_attempts: state.max_attempts,
      // While other steps of the run are pending, a discovery call must only plan, never run a step
      // inline: that step may be one of the pending ones.
      disable_immediate_execution: job.step_id !== null || state.pending > 0,
      use_api: false,
      stack: { stack: state.stack, current: state.stack.length },
    },
    version: 2,
  };
  const key = cfg.signingKeys[0];
  // The SDK verifies the canonical form of what it parses, so the signed bytes are the canonical JSON.
  const body = key ? canonicalJson(payload) : JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-inngest-req-version": "2",
    "x-run-id": job.run_id,
    "x-inngest-server-kind": key ? "cloud" : "dev",
    // Which engine process made the call: for logs, and for tests of several engines on one database.
    "x-tenet-engine-worker": cfg.workerId,
  };
  if (key) headers["x-inngest-signature"] = signBody(body, key);
  let response: Response;
  let text: string;
  try {
    response = await fetch(callUrl(state.url ?? "", job.step_id), {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(cfg.callTimeoutMs),
      redirect: "error",
    });
    text = await response.text();
  } catch (error) {
    const message =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    return {
      kind: "error",
      error: { name: "CallError", message: `The app could not be reached: ${message}` },
      retriable: true,
      retryAt: null,
    };
  }
  return classify(cfg, response.status, response.headers, text);
}

function parseJson(text: string): unknown {
  try {
    return text.trim() === "" ? null : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function asError(body: unknown, fallback: string): SerializedError {
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    const e = body as Record<string, unknown>;
    if (typeof e.message === "string" || typeof e.error === "string") {
      return {
        ...e,
        name: typeof e.name === "string" ? e.name : "Error",
        message: String(e.message ?? e.error),
      };
    }
  }
  return { name: "Error", message: fallback };
}

function classify(cfg: CallConfig, status: number, headers: Headers, text: string): CallOutcome {
  const retryAfter = headers.get("retry-after");
  const retryAt = retryAfter ? parseRetryAfter(retryAfter, new Date()) : null;
  if (status === 201) {
    // INNGEST_STREAMING: keep-alive spaces, then {status, headers, body}.
    const streamed = parseJson(text.trim());
    if (typeof streamed === "object" && streamed !== null && "status" in streamed && "body" in streamed) {
      const s = streamed as { status: unknown; headers?: Record<string, string>; body: unknown };
      return classify(
        cfg,
        Number(s.status),
        new Headers(s.headers ?? {}),
        typeof s.body === "string" ? s.body : JSON.stringify(s.body),
      );
    }
    return {
      kind: "error",
      error: { name: "Error", message: "The app sent an unreadable streamed response" },
      retriable: true,
      retryAt,
    };
  }
  if (
    cfg.signingKeys.length > 0 &&
    status !== 401 &&
    !verifySignature(headers.get("x-inngest-signature"), text, cfg.signingKeys)
  ) {
    return {
      kind: "error",
      error: { name: "Error", message: "The app's response is not signed with the signing key" },
      retriable: true,
      retryAt,
    };
  }
  const body = parseJson(text);
  if (status >= 200 && status < 300 && !headers.get("x-inngest-sdk")) {
    return {
      kind: "error",
      error: { name: "Error", message: `The app answered ${status} without being an Inngest SDK endpoint` },
      retriable: true,
      retryAt,
    };
  }
  if (status === 200)
    return body === undefined
      ? {
          kind: "error",
          error: { name: "Error", message: "The app returned invalid JSON" },
          retriable: true,
          retryAt,
        }
      : { kind: "complete", output: body };
  if (status === 206) {
    if (
      !Array.isArray(body) ||
      body.length === 0 ||
      !body.every((o) => typeof o === "object" && o !== null && typeof (o as Op).op === "string")
    ) {
      return {
        kind: "error",
        error: { name: "Error", message: "The app returned no steps to run" },
        retriable: true,
        retryAt,
      };
    }
    return { kind: "ops", ops: body as Op[], retryAt };
  }
  const noRetry = headers.get("x-inngest-no-retry");
  const retriable =
    noRetry === "true" ? false : noRetry === "false" ? true : !(status >= 400 && status < 500);
  return {
    kind: "error",
    error: asError(body, `The app answered with status ${status}`),
    retriable,
    retryAt,
  };
}

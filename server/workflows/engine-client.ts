/**
 * A typed client for the workflow engine's console API (`/tenet/v1/…`, shapes in
 * server/engine/api-schema.ts): what the Runs page reads and does. Every run call names the tenant, so
 * the engine answers 404 for another tenant's run exactly as for a run that does not exist.
 *
 * Failures become AppErrors a person can act on: an engine that cannot be reached or does not answer is
 * UNAVAILABLE and says where it was looked for; 404 is NOT_FOUND, 409 CONFLICT, 400 BAD_REQUEST.
 */
import type { z } from "zod";
import {
  apiError,
  cancelResponse,
  functionsResponse,
  listRunsResponse,
  rerunResponse,
  runResponse,
  type FunctionView,
  type ListRunsQuery,
  type RunDetail,
  type RunSummary,
} from "@/server/engine/api-schema";
import { hashSigningKey } from "@/server/engine/signing";
import { env } from "@/server/env.js";
import { AppError, fieldError } from "@/server/errors";
import { engineUrl } from "./client";

/** Long enough for a slow page of runs, short enough that the page says something useful. */
export const ENGINE_TIMEOUT_MS = 10_000;

export type RunsPage = { runs: RunSummary[]; nextCursor: string | null };
/** The list filters (ISO instants for the range); the tenant is added by the client on every call. */
export type RunsQuery = Omit<ListRunsQuery, "tenant" | "limit"> & { limit?: number };

export type EngineClient = {
  readonly baseUrl: string;
  listRuns(tenantId: string, query: RunsQuery): Promise<RunsPage>;
  getRun(tenantId: string, runId: string): Promise<RunDetail>;
  cancelRun(tenantId: string, runId: string): Promise<RunSummary>;
  rerun(tenantId: string, runId: string): Promise<{ runId: string }>;
  listFunctions(): Promise<FunctionView[]>;
};

export type EngineClientOptions = {
  baseUrl: string;
  /** INNGEST_SIGNING_KEY, then its fallback: requests carry the first's hash as a bearer (§6.4). */
  signingKeys?: readonly string[];
  timeoutMs?: number;
  fetch?: typeof fetch;
};

type Request = {
  method: "GET" | "POST";
  path: string;
  query?: Record<string, string | number | undefined>;
  /** What a 404 means for this call. */
  notFound?: string;
};

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

export function createEngineClient(options: EngineClientOptions): EngineClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? ENGINE_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  // Hashed once: a malformed key is a configuration error that env.js already refuses.
  const bearers = (options.signingKeys ?? []).map(hashSigningKey);

  function urlOf(req: Request): string {
    const url = new URL(`${baseUrl}/tenet/v1${req.path}`);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  async function send(req: Request, bearer: string | undefined): Promise<Response> {
    try {
      return await doFetch(urlOf(req), {
        method: req.method,
        headers: { accept: "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
        signal: AbortSignal.timeout(timeoutMs),
        cache: "no-store",
      });
    } catch (error) {
      if (isTimeout(error)) {
        throw new AppError(
          "UNAVAILABLE",
          `The workflow engine at ${baseUrl} did not answer within ${Math.round(timeoutMs / 1000)} seconds`,
          { cause: error },
        );
      }
      throw new AppError("UNAVAILABLE", `The workflow engine is not reachable at ${baseUrl}`, {
        cause: error,
      });
    }
  }

  /** The engine's own message, when it sent one in its error shape. */
  async function engineMessage(res: Response): Promise<{ code: string; message: string } | null> {
    const body: unknown = await res.json().catch(() => null);
    const parsed = apiError.safeParse(body);
    return parsed.success ? parsed.data.error : null;
  }

  async function call<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
    let res = await send(req, bearers[0]);
    // Like the SDK: a key the engine refuses may have been rotated, so the fallback is tried once.
    if ((res.status === 401 || res.status === 403) && bearers[1]) res = await send(req, bearers[1]);
    if (res.ok) {
      const body: unknown = await res.json();
      const parsed = schema.safeParse(body);
      // Not the user's fault and nothing they can fix: a generic internal error, logged with the cause.
      if (!parsed.success)
        throw new Error(`engine ${req.method} ${req.path}: unexpected answer`, { cause: parsed.error });
      return parsed.data;
    }
    const problem = await engineMessage(res);
    switch (res.status) {
      case 404:
        throw new AppError("NOT_FOUND", req.notFound ?? problem?.message ?? "Not found");
      case 409:
        throw new AppError("CONFLICT", problem?.message ?? "The run cannot do that in its current state");
      case 400:
        if (problem?.code === "invalid_cursor") throw fieldError("cursor", "Not a valid page cursor");
        throw new AppError("BAD_REQUEST", problem?.message ?? "The workflow engine refused the request");
      case 401:
      case 403:
        throw new AppError(
          "UNAVAILABLE",
          `The workflow engine at ${baseUrl} refused this app's signing key (INNGEST_SIGNING_KEY)`,
        );
      default:
        throw new AppError(
          "UNAVAILABLE",
          `The workflow engine at ${baseUrl} could not answer (HTTP ${res.status}); try again in a moment`,
        );
    }
  }

  const runPath = (runId: string, action = "") => `/runs/${encodeURIComponent(runId)}${action}`;
  const NO_RUN = "No run with that id in this tenant";

  return {
    baseUrl,
    listRuns: (tenantId, query) =>
      call({ method: "GET", path: "/runs", query: { ...query, tenant: tenantId } }, listRunsResponse),
    getRun: async (tenantId, runId) =>
      (
        await call(
          { method: "GET", path: runPath(runId), query: { tenant: tenantId }, notFound: NO_RUN },
          runResponse,
        )
      ).run,
    cancelRun: async (tenantId, runId) =>
      (
        await call(
          { method: "POST", path: runPath(runId, "/cancel"), query: { tenant: tenantId }, notFound: NO_RUN },
          cancelResponse,
        )
      ).run,
    rerun: (tenantId, runId) =>
      call(
        { method: "POST", path: runPath(runId, "/rerun"), query: { tenant: tenantId }, notFound: NO_RUN },
        rerunResponse,
      ),
    listFunctions: async () =>
      (await call({ method: "GET", path: "/functions" }, functionsResponse)).functions,
  };
}

/** The engine the app is configured for (server/env.js), signed with INNGEST_SIGNING_KEY when set. */
export function engineClient(): EngineClient {
  const keys = [env.INNGEST_SIGNING_KEY, env.INNGEST_SIGNING_KEY_FALLBACK].filter(
    (key): key is string => key !== undefined,
  );
  return createEngineClient({ baseUrl: engineUrl(), signingKeys: keys });
}

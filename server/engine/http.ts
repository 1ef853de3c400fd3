/**
 * The engine's HTTP surface: Inngest's event API (`POST /e/:key`) and sync (`POST /fn/register`) as the SDK
 * calls them, plus Tenet's console API (`/tenet/v1/…`, api-schema.ts).
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { apiError, listRunsQuery } from "./api-schema";
import { ConsoleError, cancelRun, listFunctions, listRuns, rerun, runDetail } from "./console";
import { type Db, transaction } from "./db";
import { ingestEvents } from "./events";
import { verifyBearer } from "./signing";
import { register } from "./sync";

export type HttpContext = {
  db: Db;
  signingKeys: string[];
  eventKeys: string[];
  /** Asks every app to sync again (PUT to its serve URL). */
  sync: () => Promise<void>;
  log: (line: string) => void;
};

const MAX_BODY_BYTES = 3 * 1024 * 1024;
const MAX_EVENTS = 1000;

const incomingEvent = z.object({
  name: z.string().min(1, "every event needs a name").max(256),
  data: z.record(z.string(), z.unknown()).optional(),
  id: z.string().min(1).max(256).optional(),
  ts: z.number().int().nonnegative().optional(),
  v: z.string().max(64).optional(),
  user: z.record(z.string(), z.unknown()).optional(),
});
const eventBatch = z.union([
  incomingEvent,
  z.array(incomingEvent).max(MAX_EVENTS, `at most ${MAX_EVENTS} events per request`),
]);

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "too_large", "The request body is larger than 3 MB");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, "invalid_json", "The request body is not valid JSON");
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function requireBearer(ctx: HttpContext, req: IncomingMessage): void {
  if (ctx.signingKeys.length > 0 && !verifyBearer(req.headers.authorization, ctx.signingKeys)) {
    throw new HttpError(401, "unauthorized", "A valid signing key is required");
  }
}

async function postEvents(
  ctx: HttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  key: string,
): Promise<void> {
  // In Inngest's shape, so the SDK reports the problem: `status` and `error` in the body.
  const refuse = (status: number, error: string) => send(res, status, { ids: [], status, error });
  if (ctx.eventKeys.length > 0 && !ctx.eventKeys.some((k) => sameText(k, key)))
    return refuse(401, "Event key not found");
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (error) {
    return refuse(
      error instanceof HttpError ? error.status : 400,
      error instanceof Error ? error.message : "Bad request",
    );
  }
  const parsed = eventBatch.safeParse(body);
  if (!parsed.success) return refuse(400, `Invalid event: ${z.prettifyError(parsed.error)}`);
  const events = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const seed = req.headers["x-inngest-event-id-seed"];
  const ids = await transaction(ctx.db, (c) =>
    ingestEvents(c, events, typeof seed === "string" ? seed : undefined),
  );
  send(res, 200, { ids, status: 200 });
}

async function postRegister(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  requireBearer(ctx, req);
  const body = await readJson(req);
  const result = await transaction(ctx.db, (c) => register(c, body));
  if (!result.ok) {
    ctx.log(`sync refused: ${result.error}`);
    // The SDK reads `status` and `error` from the body (docs/engine-protocol.md §2.2).
    return send(res, 400, { status: 400, error: result.error });
  }
  ctx.log(`synced ${result.functions} function(s)${result.modified ? "" : " (unchanged)"}`);
  send(res, 200, { ok: true, status: 200, modified: result.modified });
}

async function consoleApi(
  ctx: HttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  requireBearer(ctx, req);
  const tenant = url.searchParams.get("tenant") ?? undefined;
  const path = url.pathname.slice("/tenet/v1".length);
  const runMatch = path.match(/^\/runs\/([0-9A-Z]{26})(\/cancel|\/rerun)?$/);
  if (req.method === "GET" && path === "/runs") {
    const query = listRunsQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success) throw new HttpError(400, "invalid_query", z.prettifyError(query.error));
    return send(res, 200, await listRuns(ctx.db, query.data));
  }
  if (req.method === "GET" && path === "/functions")
    return send(res, 200, { functions: await listFunctions(ctx.db) });
  if (req.method === "POST" && path === "/sync") {
    await ctx.sync();
    return send(res, 200, { ok: true });
  }
  if (runMatch?.[1]) {
    const id = runMatch[1];
    if (req.method === "GET" && !runMatch[2])
      return send(res, 200, { run: await runDetail(ctx.db, id, tenant) });
    if (req.method === "POST" && runMatch[2] === "/cancel")
      return send(res, 200, { run: await cancelRun(ctx.db, id, tenant) });
    if (req.method === "POST" && runMatch[2] === "/rerun")
      return send(res, 200, { runId: await rerun(ctx.db, id, tenant) });
  }
  if (path.startsWith("/runs/")) throw new HttpError(404, "not_found", "No such run");
  throw new HttpError(404, "not_found", "No such endpoint");
}

export function createHandler(ctx: HttpContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? "/", "http://engine");
    const handle = async () => {
      const eventPath = url.pathname.match(/^\/e\/([^/]+)$/);
      if (req.method === "POST" && eventPath?.[1])
        return postEvents(ctx, req, res, decodeURIComponent(eventPath[1]));
      if (req.method === "POST" && url.pathname === "/fn/register") return postRegister(ctx, req, res);
      if (req.method === "GET" && url.pathname === "/health") return send(res, 200, { ok: true });
      if (url.pathname.startsWith("/tenet/v1/")) return consoleApi(ctx, req, res, url);
      throw new HttpError(404, "not_found", "No such endpoint");
    };
    handle().catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof HttpError || error instanceof ConsoleError) {
        return send(
          res,
          error.status,
          apiError.parse({ error: { code: error.code, message: error.message } }),
        );
      }
      ctx.log(
        `error handling ${req.method} ${url.pathname}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      send(res, 500, { error: { code: "internal", message: "The engine could not handle this request" } });
    });
  };
}

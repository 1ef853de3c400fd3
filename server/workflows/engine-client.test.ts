import { describe, expect, it } from "vitest";
import { hashSigningKey } from "@/server/engine/signing";
import { AppError } from "@/server/errors";
import { createEngineClient } from "./engine-client";

const TENANT = "3f0c8a52-5d7e-4b61-9a0e-2f1d4c6b7a80";
const RUN_ID = "01JF0000000000000000000000";
const KEY = "signkey-test-abab12";
const FALLBACK = "signkey-test-cdcd34";

const summary = {
  id: RUN_ID,
  functionId: "tenet-workflows-test-ping",
  functionName: "Test event",
  appId: "tenet",
  status: "running",
  tenantId: TENANT,
  eventName: "workflows/test.ping",
  createdAt: "2026-11-21T10:00:00.000Z",
  startedAt: null,
  endedAt: null,
  parentRunId: null,
  rerunOf: null,
};

type Seen = { url: URL; method: string; authorization: string | null };

/** A fetch that records each request and answers with the next of `answers`. */
function fakeFetch(...answers: (Response | Error)[]) {
  const seen: Seen[] = [];
  const fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    seen.push({
      url: new URL(url),
      method: init?.method ?? "GET",
      authorization: headers.get("authorization"),
    });
    const answer = answers.shift();
    if (!answer) throw new Error("fakeFetch: no answer left");
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return { fetch, seen };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe("engine client", () => {
  it("names the tenant on every run call and signs with the hashed key", async () => {
    const { fetch, seen } = fakeFetch(
      json(200, { runs: [summary], nextCursor: null }),
      json(200, { run: summary }),
      json(200, { runId: "01JF0000000000000000000001" }),
    );
    const engine = createEngineClient({ baseUrl: "http://engine.test:8288/", signingKeys: [KEY], fetch });
    const page = await engine.listRuns(TENANT, { status: "running", limit: 10, from: undefined });
    expect(page.runs[0]?.id).toBe(RUN_ID);
    await engine.cancelRun(TENANT, RUN_ID);
    expect(await engine.rerun(TENANT, RUN_ID)).toEqual({ runId: "01JF0000000000000000000001" });

    expect(seen.map((s) => `${s.method} ${s.url.pathname}`)).toEqual([
      "GET /tenet/v1/runs",
      `POST /tenet/v1/runs/${RUN_ID}/cancel`,
      `POST /tenet/v1/runs/${RUN_ID}/rerun`,
    ]);
    expect(seen.every((s) => s.url.searchParams.get("tenant") === TENANT)).toBe(true);
    expect(Object.fromEntries(seen[0]?.url.searchParams ?? [])).toEqual({
      status: "running",
      limit: "10",
      tenant: TENANT,
    });
    expect(seen.every((s) => s.authorization === `Bearer ${hashSigningKey(KEY)}`)).toBe(true);
  });

  it("sends no authorization without a signing key", async () => {
    const { fetch, seen } = fakeFetch(json(200, { functions: [] }));
    await createEngineClient({ baseUrl: "http://engine.test", fetch }).listFunctions();
    expect(seen[0]?.authorization).toBeNull();
  });

  it("tries the fallback key once when the engine refuses the first", async () => {
    const { fetch, seen } = fakeFetch(
      json(401, { error: { code: "unauthorized", message: "no" } }),
      json(200, { functions: [] }),
    );
    const engine = createEngineClient({ baseUrl: "http://engine.test", signingKeys: [KEY, FALLBACK], fetch });
    expect(await engine.listFunctions()).toEqual([]);
    expect(seen.map((s) => s.authorization)).toEqual([
      `Bearer ${hashSigningKey(KEY)}`,
      `Bearer ${hashSigningKey(FALLBACK)}`,
    ]);
  });

  it("says where it looked when the engine cannot be reached", async () => {
    const refused = Object.assign(new TypeError("fetch failed"), {
      cause: new Error("connect ECONNREFUSED"),
    });
    const { fetch } = fakeFetch(refused);
    const error = await appErrorOf(
      createEngineClient({ baseUrl: "http://127.0.0.1:1", fetch }).listFunctions(),
    );
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.message).toBe("The workflow engine is not reachable at http://127.0.0.1:1");
  });

  it("gives up after the timeout", async () => {
    const never = (_input: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        const signal = init?.signal;
        signal?.addEventListener("abort", () =>
          reject(signal.reason instanceof Error ? signal.reason : new Error("aborted")),
        );
      });
    const error = await appErrorOf(
      createEngineClient({ baseUrl: "http://engine.test", fetch: never, timeoutMs: 20 }).getRun(
        TENANT,
        RUN_ID,
      ),
    );
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.message).toMatch(/did not answer within/);
  });

  it("maps 404 to not found, 409 to conflict, 400 to bad request and other failures to unavailable", async () => {
    const { fetch } = fakeFetch(
      json(404, { error: { code: "not_found", message: "No such run" } }),
      json(409, { error: { code: "already_ended", message: "The run already ended (completed)" } }),
      json(400, { error: { code: "invalid_cursor", message: "The cursor is not one this API returned" } }),
      json(500, { error: { code: "internal", message: "The engine could not handle this request" } }),
      json(403, { error: { code: "forbidden", message: "no" } }),
    );
    const engine = createEngineClient({ baseUrl: "http://engine.test", fetch });
    const notFound = await appErrorOf(engine.getRun(TENANT, RUN_ID));
    expect([notFound.code, notFound.message]).toEqual(["NOT_FOUND", "No run with that id in this tenant"]);
    const conflict = await appErrorOf(engine.cancelRun(TENANT, RUN_ID));
    expect([conflict.code, conflict.message]).toEqual(["CONFLICT", "The run already ended (completed)"]);
    const badCursor = await appErrorOf(engine.listRuns(TENANT, { cursor: "x" }));
    expect([badCursor.code, badCursor.fields]).toEqual([
      "BAD_REQUEST",
      { cursor: ["Not a valid page cursor"] },
    ]);
    const broken = await appErrorOf(engine.listFunctions());
    expect([broken.code, broken.message]).toEqual([
      "UNAVAILABLE",
      "The workflow engine at http://engine.test could not answer (HTTP 500); try again in a moment",
    ]);
    const refused = await appErrorOf(engine.listFunctions());
    expect(refused.message).toMatch(/refused this app's signing key/);
  });

  it("refuses an answer that is not the documented shape", async () => {
    const { fetch } = fakeFetch(json(200, { runs: "nope" }));
    await expect(
      createEngineClient({ baseUrl: "http://engine.test", fetch }).listRuns(TENANT, {}),
    ).rejects.toThrow(/unexpected answer/);
  });
});

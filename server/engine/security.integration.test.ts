/**
 * Signed traffic in both directions (the SDK in cloud mode, as in production), authentication of the
 * engine's own endpoints, and syncs that are refused whole.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSigningKey } from "./signing";
import { type Harness, startHarness } from "./testing";

const SIGNING_KEY = `signkey-test-${"ab".repeat(32)}`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    appId: "secure",
    signingKey: SIGNING_KEY,
    engine: { eventKeys: ["test-event-key"] },
  });
  const greet = h.client.createFunction(
    { id: "greet", triggers: [{ event: "secure/hello" }] },
    async ({ event, step }) => {
      const name = await step.run("name", () => String(event.data.name));
      return `hello ${name}`;
    },
  );
  await h.serve([greet]);
});
afterAll(() => h?.close());

const bearer = { authorization: `Bearer ${hashSigningKey(SIGNING_KEY)}` };

describe("with a signing key", () => {
  it("runs functions with signed calls and verified responses", async () => {
    await h.client.send({ name: "secure/hello", data: { name: "ada" } });
    const [run] = await h.waitForRuns(h.fnId("greet"), (r) => r[0]?.status === "completed");
    expect(run?.output).toBe("hello ada");
  });

  it("the app refuses a call the engine did not sign", async () => {
    const response = await fetch(`${h.app.url}?fnId=${h.fnId("greet")}&stepId=step`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        event: { name: "secure/hello", data: {} },
        events: [],
        steps: {},
        ctx: { run_id: "x" },
      }),
    });
    expect(response.status).toBe(401);
  });

  it("refuses syncs and console requests without the signing key's bearer", async () => {
    const register = await fetch(`${h.engine.url}/fn/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: "http://127.0.0.1:1/api/inngest", appName: "intruder", functions: [] }),
    });
    expect(register.status).toBe(401);
    expect((await fetch(`${h.engine.url}/tenet/v1/runs`)).status).toBe(401);
    const wrong = { authorization: `Bearer ${hashSigningKey(`signkey-test-${"cd".repeat(32)}`)}` };
    expect((await fetch(`${h.engine.url}/tenet/v1/runs`, { headers: wrong })).status).toBe(401);
    const listed = await fetch(`${h.engine.url}/tenet/v1/runs`, { headers: bearer });
    expect(listed.status).toBe(200);
  });

  it("refuses events sent with an unknown event key", async () => {
    const response = await fetch(`${h.engine.url}/e/not-the-key`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ name: "secure/hello", data: { name: "eve" } }]),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ status: 401, error: "Event key not found" });
  });
});

describe("events", () => {
  it("refuses a malformed batch whole, with a clear error, and stores none of it", async () => {
    const before = await h.sql.query("SELECT count(*)::int AS n FROM engine.event");
    const response = await fetch(`${h.engine.url}/e/test-event-key`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ name: "secure/hello", data: { name: "ok" } }, { data: { name: "no name" } }]),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { status: number; error: string };
    expect(body.status).toBe(400);
    expect(body.error).toMatch(/^Invalid event: /);
    expect(body.error).not.toMatch(/\bat .*\.ts:\d+/);
    const bad = await fetch(`${h.engine.url}/e/test-event-key`, { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
    const after = await h.sql.query("SELECT count(*)::int AS n FROM engine.event");
    expect(after.rows).toEqual(before.rows);
  });
});

describe("sync", () => {
  it("refuses a function using an option the engine does not implement, keeping the previous set", async () => {
    const greet = h.client.createFunction({ id: "greet", triggers: [{ event: "secure/hello" }] }, () => "hi");
    const throttled = h.client.createFunction(
      { id: "throttled", throttle: { limit: 1, period: "1m" }, triggers: [{ event: "secure/throttled" }] },
      () => "too fast",
    );
    await h.serve([greet, throttled]);
    const response = await fetch(h.app.url, { method: "PUT" });
    const body = (await response.json()) as { message: string };
    expect(response.status).toBe(400);
    expect(body.message).toContain(`Function "${h.fnId("throttled")}" uses "throttle"`);
    const functions = await h.sql.query<{ id: string }>("SELECT id FROM engine.function ORDER BY id");
    expect(functions.rows.map((r) => r.id)).toEqual([h.fnId("greet")]);
  });

  it("refuses an invalid expression with its position", async () => {
    const bad = h.client.createFunction(
      { id: "bad-if", triggers: [{ event: "secure/x", if: "event.data.x >" }] },
      () => "never",
    );
    await h.serve([bad]);
    const response = await fetch(h.app.url, { method: "PUT" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain("triggers[0].expression");
  });

  it("rejects bad console input with a clear error and no stack", async () => {
    const response = await fetch(`${h.engine.url}/tenet/v1/runs?status=exploded`, { headers: bearer });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("invalid_query");
    expect(body.error.message).not.toMatch(/\bat .*\.ts:\d+/);
    const missing = await fetch(`${h.engine.url}/tenet/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV`, {
      headers: bearer,
    });
    expect(missing.status).toBe(404);
  });
});

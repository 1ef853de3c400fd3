import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signatureHeader, signWebhook } from "@/connectors/http/webhooks";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import { createTestTenant, testDb, withOwner, type TestTenant } from "@/server/testing/fixtures";
import {
  createInboundEndpoint,
  disableInboundEndpoint,
  listInboundEndpoints,
  rotateInboundEndpointSecret,
} from "./endpoints";
import { inboundWebhookData } from "./events";
import {
  handleInboundWebhook,
  MAX_INBOUND_BYTES,
  UNAUTHORIZED_MESSAGE,
  type InboundWebhookEvent,
} from "./inbound";

/**
 * Real HTTP: a node:http server on 127.0.0.1 turns each request into a Fetch `Request` and hands it to
 * handleInboundWebhook, the function the Next.js route (app/api/webhooks/[endpointId]/route.ts) calls.
 * The workflow engine is replaced by a recording sender.
 */

const sent: InboundWebhookEvent[] = [];
let engineDown = false;
const send = (event: InboundWebhookEvent) => {
  if (engineDown) return Promise.reject(new TypeError("fetch failed"));
  sent.push(event);
  return Promise.resolve({ ids: [event.id] });
};

let server: http.Server;
let base: string;
let acme: TestTenant;
let globex: TestTenant;

function toRequest(req: http.IncomingMessage, url: URL): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Buffer) => {
        if (!cancelled) controller.enqueue(new Uint8Array(chunk));
      });
      req.on("end", () => {
        if (!cancelled) controller.close();
      });
      req.on("error", (error) => controller.error(error));
    },
    cancel() {
      cancelled = true;
    },
  });
  // Node requires `duplex` for a streamed body; TypeScript's DOM types do not know the option yet.
  const init = { method: req.method, headers, body, duplex: "half" };
  return new Request(url, init);
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const endpointId = decodeURIComponent(url.pathname.replace(/^\/api\/webhooks\//, ""));
    handleInboundWebhook(testDb(), toRequest(req, url), endpointId, { send })
      .then(async (response) => {
        // One request per connection: a refused body may be left half read, so the socket is not reused.
        res.writeHead(response.status, { ...Object.fromEntries(response.headers), connection: "close" });
        res.end(Buffer.from(await response.arrayBuffer()));
        // Read what the handler left unread (a refused large body), so the client is not reset mid-send.
        req.resume();
      })
      .catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

type Sent = { status: number; body: { deliveryId?: string; eventId?: string; error?: { message: string } } };

async function post(endpointId: string, body: string, headers: Record<string, string>): Promise<Sent> {
  const res = await fetch(`${base}/api/webhooks/${endpointId}`, { method: "POST", headers, body });
  return { status: res.status, body: (await res.json()) as Sent["body"] };
}

/** A POST without Content-Length (chunked), so that only reading the stream can find it too large. */
function postChunked(
  endpointId: string,
  chunks: readonly string[],
  headers: Record<string, string>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/api/webhooks/${endpointId}`, { method: "POST", headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

function signed(body: string, secret: string | string[], now = new Date()): Record<string, string> {
  return {
    "content-type": "application/json",
    [signatureHeader]: signWebhook(body, Array.isArray(secret) ? secret : [secret], now),
  };
}

async function newEndpoint(tenant: TestTenant, event = "webhook/github.received") {
  return tenant.asOwner((ctx) =>
    createInboundEndpoint(ctx, { name: `hook ${Math.random().toString(36).slice(2)}`, event }),
  );
}

async function deliveries(tenant: TestTenant, endpointId: string) {
  return withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    sqlOf(tx).query<{ status: string; reason: string | null; body_sha256: string | null }>(
      `SELECT status, reason, body_sha256 FROM integrations.inbound_delivery
        WHERE endpoint_id = $1::uuid ORDER BY received_at, id`,
      [endpointId],
    ),
  );
}

describe("inbound webhooks", () => {
  it("accepts a signed JSON body with 202 and sends the endpoint's event carrying it", async () => {
    const { endpoint, secret } = await newEndpoint(acme);
    const body = JSON.stringify({ action: "opened", pull_request: { number: 7 } });
    const res = await post(endpoint.id, body, signed(body, secret));
    expect(res.status).toBe(202);
    expect(res.body.deliveryId).toMatch(/^[0-9a-f-]{36}$/);
    const event = sent.find((e) => e.data.deliveryId === res.body.deliveryId);
    expect(event).toMatchObject({
      name: "webhook/github.received",
      id: res.body.eventId,
      data: {
        tenantId: acme.id,
        endpointId: endpoint.id,
        body: { action: "opened", pull_request: { number: 7 } },
      },
    });
    expect(await deliveries(acme, endpoint.id)).toEqual([
      { status: "accepted", reason: null, body_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string },
    ]);
    // What a workflow's typed trigger (webhookEvent) checks before it runs.
    expect(inboundWebhookData.safeParse(event?.data).success).toBe(true);
  });

  it("refuses a bad signature, a stale one, an unknown and a foreign endpoint with one 401 message", async () => {
    const { endpoint, secret } = await newEndpoint(acme);
    const foreign = await newEndpoint(globex);
    const body = JSON.stringify({ hello: "world" });
    const before = sent.length;

    const badSignature = await post(endpoint.id, body, signed(body, "whsec_not-the-secret"));
    const stale = await post(endpoint.id, body, signed(body, secret, new Date(Date.now() - 6 * 60_000)));
    const unknown = await post("0b4c56f2-5a0e-4d43-9d7c-0d1f2c3b4a59", body, signed(body, secret));
    const malformedId = await post("not-a-uuid", body, signed(body, secret));
    // Acme's secret on Globex's endpoint: the address alone is not enough.
    const crossTenant = await post(foreign.endpoint.id, body, signed(body, secret));
    const unsigned = await post(endpoint.id, body, { "content-type": "application/json" });

    for (const res of [badSignature, stale, unknown, malformedId, crossTenant, unsigned]) {
      expect(res).toEqual({ status: 401, body: { error: { message: UNAUTHORIZED_MESSAGE } } });
    }
    expect(sent.length).toBe(before);
    const log = await deliveries(acme, endpoint.id);
    expect(log.map((d) => d.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(log[0]?.reason).toMatch(/No signature .* matches/);
    expect(log[1]?.reason).toMatch(/signed 3\d\d s ago/);
    expect(log[2]?.reason).toMatch(/missing/);
    expect((await deliveries(globex, foreign.endpoint.id)).map((d) => d.reason)).toEqual([
      expect.stringMatching(/No signature/) as string,
    ]);
  });

  it("refuses a replay of an accepted delivery with 409, even when both copies race", async () => {
    const { endpoint, secret } = await newEndpoint(acme);
    const body = JSON.stringify({ n: 1 });
    const headers = signed(body, secret);
    const first = await post(endpoint.id, body, headers);
    expect(first.status).toBe(202);
    const again = await post(endpoint.id, body, headers);
    expect(again).toEqual({
      status: 409,
      body: { error: { message: "This delivery was already received" } },
    });

    const raced = JSON.stringify({ n: 2 });
    const racedHeaders = signed(raced, secret);
    const both = await Promise.all([
      post(endpoint.id, raced, racedHeaders),
      post(endpoint.id, raced, racedHeaders),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([202, 409]);
    expect(sent.filter((e) => e.data.endpointId === endpoint.id)).toHaveLength(2);
  });

  it("refuses a body over 1 MB with 413, a non-JSON type with 415 and a signed non-JSON body with 400", async () => {
    const { endpoint, secret } = await newEndpoint(acme);
    const big = JSON.stringify({ pad: "x".repeat(MAX_INBOUND_BYTES) });
    expect((await post(endpoint.id, big, signed(big, secret))).status).toBe(413);
    const chunks = Array.from({ length: 17 }, () => "x".repeat(64 * 1024));
    expect(await postChunked(endpoint.id, chunks, signed(chunks.join(""), secret))).toBe(413);
    const form = "a=1";
    expect(
      (
        await post(endpoint.id, form, {
          ...signed(form, secret),
          "content-type": "application/x-www-form-urlencoded",
        })
      ).status,
    ).toBe(415);
    const notJson = "{nope";
    expect(await post(endpoint.id, notJson, signed(notJson, secret))).toEqual({
      status: 400,
      body: { error: { message: "The body is not valid JSON" } },
    });
    // The same answers for an endpoint that does not exist: size and type are checked before anyone is.
    expect((await post("0b4c56f2-5a0e-4d43-9d7c-0d1f2c3b4a59", big, signed(big, secret))).status).toBe(413);
    expect((await deliveries(acme, endpoint.id)).map((d) => d.reason)).toEqual([
      `The body is larger than ${MAX_INBOUND_BYTES} bytes`,
      `The body is larger than ${MAX_INBOUND_BYTES} bytes`,
      "Send the body as application/json",
      "The body is not JSON (UTF-8)",
    ]);
  });

  it("keeps the old secret working through a rotation's grace, and refuses everything once disabled", async () => {
    const { endpoint, secret: oldSecret } = await newEndpoint(acme);
    const { secret: newSecret } = await acme.asOwner((ctx) => rotateInboundEndpointSecret(ctx, endpoint.id));
    expect(newSecret).not.toBe(oldSecret);
    const a = JSON.stringify({ a: 1 });
    const b = JSON.stringify({ b: 1 });
    expect((await post(endpoint.id, a, signed(a, oldSecret))).status).toBe(202);
    expect((await post(endpoint.id, b, signed(b, newSecret))).status).toBe(202);

    await acme.asOwner((ctx) => rotateInboundEndpointSecret(ctx, endpoint.id, { graceHours: 0 }));
    const c = JSON.stringify({ c: 1 });
    expect((await post(endpoint.id, c, signed(c, newSecret))).status).toBe(401);

    const { secret: current } = await acme.asOwner((ctx) =>
      rotateInboundEndpointSecret(ctx, endpoint.id, { graceHours: 0 }),
    );
    await acme.asOwner((ctx) => disableInboundEndpoint(ctx, endpoint.id));
    const d = JSON.stringify({ d: 1 });
    expect(await post(endpoint.id, d, signed(d, current))).toEqual({
      status: 401,
      body: { error: { message: UNAUTHORIZED_MESSAGE } },
    });
  });

  it("answers 503 when the engine does not take the event, and the sender's retry is then accepted", async () => {
    const { endpoint, secret } = await newEndpoint(acme);
    const body = JSON.stringify({ retry: true });
    const headers = signed(body, secret);
    engineDown = true;
    try {
      expect((await post(endpoint.id, body, headers)).status).toBe(503);
    } finally {
      engineDown = false;
    }
    expect((await post(endpoint.id, body, headers)).status).toBe(202);
    expect((await deliveries(acme, endpoint.id)).map((d) => d.status)).toEqual(["rejected", "accepted"]);
  });

  it("never shows a secret: not in lists, not in delivery rows, not in the database in clear", async () => {
    const { endpoint, secret } = await newEndpoint(acme);
    const body = JSON.stringify({ ok: 1 });
    await post(endpoint.id, body, signed(body, secret));
    await post(endpoint.id, body, signed(body, "whsec_wrong"));
    const list = await acme.asOwner((ctx) => listInboundEndpoints(ctx));
    const listed = list.find((e) => e.id === endpoint.id);
    expect(listed?.recentDeliveries.map((d) => d.status)).toEqual(["rejected", "accepted"]);
    expect(listed?.secretHint).toBe(`••••${secret.slice(-4)}`);
    expect(JSON.stringify(list)).not.toContain(secret);
    expect(JSON.stringify(list)).not.toContain("v1:");
    const rows = await withOwner(async (client) => {
      const e = await client.query("SELECT * FROM integrations.inbound_endpoint WHERE id = $1", [
        endpoint.id,
      ]);
      const d = await client.query("SELECT * FROM integrations.inbound_delivery WHERE endpoint_id = $1", [
        endpoint.id,
      ]);
      return JSON.stringify([e.rows, d.rows]);
    });
    expect(rows).not.toContain(secret);
    expect(rows).not.toContain(secret.slice("whsec_".length));
  });

  it("lets only owners and admins manage endpoints, and refuses the platform's own event domains", async () => {
    const employee = await acme.add("employee");
    await expect(
      withTenant(testDb(), { tenantId: acme.id }, (tx) =>
        createInboundEndpoint(
          {
            tenantId: acme.id,
            actor: { userId: employee.userId, membershipId: employee.membershipId, role: "employee" },
            db: tx,
          },
          { name: "mine", event: "webhook/x.received" },
        ),
      ),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      acme.asOwner((ctx) =>
        createInboundEndpoint(ctx, { name: "pose", event: "audit/chain.verify.requested" }),
      ),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      fields: { event: [expect.stringMatching(/own domains/) as string] },
    });
    await expect(
      acme.asOwner((ctx) => createInboundEndpoint(ctx, { name: "bad", event: "NotAnEvent" })),
    ).rejects.toBeInstanceOf(AppError);
    // Another tenant's endpoint is not found, not merely forbidden.
    const foreign = await newEndpoint(globex);
    await expect(
      acme.asOwner((ctx) => disableInboundEndpoint(ctx, foreign.endpoint.id)),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

import http from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { canonicalJson, hashSigningKey, signBody, verifyBearer, verifySignature } from "./signing";

const KEY = `signkey-test-${"ab".repeat(32)}`;
const FALLBACK_KEY = `signkey-test-${"cd".repeat(32)}`;
const OTHER_KEY = `signkey-prod-${"ef".repeat(32)}`;
const AT = new Date(1718000000 * 1000);

describe("canonicalJson", () => {
  it("sorts keys and drops whitespace (RFC 8785)", () => {
    expect(canonicalJson({ b: [true, null], a: 1, c: { z: "é", y: 1.5e-7 } })).toBe(
      '{"a":1,"b":[true,null],"c":{"y":1.5e-7,"z":"é"}}',
    );
  });

  it("is stable under JSON.parse, which is what the SDK verifies", () => {
    const text = canonicalJson({
      event: { data: { n: 10, list: [3, 1] }, name: "x/y" },
      ctx: { attempt: 0 },
    });
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  });

  it("refuses a value with no JSON form", () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });
});

describe("signBody", () => {
  // Expected values computed independently (Python's hmac over the key's hex text).
  it("signs body + t with the text after the key's prefix", () => {
    expect(signBody('{"a":1,"b":[true,null]}', KEY, AT)).toBe(
      "t=1718000000&s=d6d455363edfeddde1eeda869f0c60ac2a178ba9904441a998a45e3efb57cc1c",
    );
  });

  it("signs an empty body as the empty string", () => {
    expect(signBody("", KEY, AT)).toBe(
      "t=1718000000&s=132fc2bdfc6e8c5224a207291e233c69a4ae26c40612df2e3a3af1b4eb063c2d",
    );
  });
});

describe("verifySignature", () => {
  const body = canonicalJson({ hello: "world" });
  const header = signBody(body, KEY, AT);

  it("accepts a signature by any of the keys", () => {
    expect(verifySignature(header, body, [KEY], AT)).toBe(true);
    expect(verifySignature(header, body, [OTHER_KEY, KEY], AT)).toBe(true);
  });

  it("refuses another body, another key, or no key", () => {
    expect(verifySignature(header, `${body} `, [KEY], AT)).toBe(false);
    expect(verifySignature(header, body, [OTHER_KEY], AT)).toBe(false);
    expect(verifySignature(header, body, [], AT)).toBe(false);
  });

  it("allows five minutes of clock skew either way, and no more", () => {
    const at = (ms: number) => new Date(AT.getTime() + ms);
    expect(verifySignature(header, body, [KEY], at(5 * 60_000))).toBe(true);
    expect(verifySignature(header, body, [KEY], at(-5 * 60_000))).toBe(true);
    expect(verifySignature(header, body, [KEY], at(5 * 60_000 + 1000))).toBe(false);
    expect(verifySignature(header, body, [KEY], at(-5 * 60_000 - 1000))).toBe(false);
  });

  it.each([null, undefined, "", "t=1718000000", "s=abc", "t=soon&s=abc", `${header}0`])(
    "refuses the header %j",
    (bad) => {
      expect(verifySignature(bad, body, [KEY], AT)).toBe(false);
    },
  );

  it("never accepts a signature made with an empty key", () => {
    expect(verifySignature(signBody(body, "", AT), body, [""], AT)).toBe(false);
    expect(verifySignature(signBody(body, "signkey-test-", AT), body, ["signkey-test-"], AT)).toBe(false);
  });
});

describe("hashSigningKey", () => {
  it("keeps the prefix and hashes the hex-decoded remainder", () => {
    // The example in docs/engine-protocol.md §6.1, and the SDK spec's "signkey-test-12345678".
    expect(hashSigningKey(KEY)).toBe(
      "signkey-test-9a2db2e23f1504cd056606553ac049c5e718e8f9ce9233876df1a7a1821af885",
    );
    expect(hashSigningKey("signkey-test-12345678")).toBe(
      "signkey-test-b2ed992186a5cb19f6668aade821f502c1d00970dfd0e35128d51bac4649916c",
    );
    expect(hashSigningKey("12345678")).toBe(
      "b2ed992186a5cb19f6668aade821f502c1d00970dfd0e35128d51bac4649916c",
    );
  });

  it("refuses a key that is not hex", () => {
    expect(() => hashSigningKey("signkey-test-xyz")).toThrow(/signkey-<env>-<hex>/);
    expect(() => hashSigningKey("")).toThrow();
  });
});

describe("verifyBearer", () => {
  it("accepts the hashed form of any of the keys", () => {
    expect(verifyBearer(`Bearer ${hashSigningKey(KEY)}`, [KEY])).toBe(true);
    expect(verifyBearer(`bearer ${hashSigningKey(FALLBACK_KEY)}`, [KEY, FALLBACK_KEY])).toBe(true);
  });

  it.each([
    null,
    undefined,
    "",
    "Bearer",
    "Bearer undefined",
    `Basic ${hashSigningKey(KEY)}`,
    `Bearer ${KEY}`,
  ])("refuses %j", (authorization) => {
    expect(verifyBearer(authorization, [KEY])).toBe(false);
  });

  it("refuses another key's token", () => {
    expect(verifyBearer(`Bearer ${hashSigningKey(OTHER_KEY)}`, [KEY, FALLBACK_KEY])).toBe(false);
  });
});

/** The SDK in cloud mode, served over real HTTP, checking our signatures and signing its answers. */
describe("with the inngest SDK's serve() in cloud mode", () => {
  const registerAuthorizations: (string | undefined)[] = [];
  /** What the SDK logs as errors, kept out of the test output and checked instead. */
  const sdkErrors: string[] = [];
  const logger = {
    info: () => undefined,
    warn: () => undefined,
    debug: () => undefined,
    error: (...args: unknown[]) =>
      void sdkErrors.push(args.filter((arg) => typeof arg === "string").join(" ")),
  };
  let api: http.Server;
  let app: http.Server;
  let appUrl = "";

  beforeAll(async () => {
    // Inngest's API, as far as a sync needs it: the current key is FALLBACK_KEY, so the SDK's
    // first attempt (with KEY) is refused and it retries with its fallback (§6.4).
    api = http.createServer((req, res) => {
      registerAuthorizations.push(req.headers.authorization);
      const ok = verifyBearer(req.headers.authorization, [FALLBACK_KEY]);
      res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
      res.end(JSON.stringify(ok ? { ok: true, modified: true } : { error: "unauthorized" }));
    });
    const client = new Inngest({
      id: "sig-test",
      isDev: false,
      signingKey: KEY,
      signingKeyFallback: FALLBACK_KEY,
      baseUrl: await listen(api),
      logger,
    });
    const echo = client.createFunction({ id: "echo", triggers: [{ event: "sig/echo" }] }, ({ event }) => ({
      received: event.data,
    }));
    app = http.createServer(serve({ client, functions: [echo] }));
    appUrl = `${await listen(app)}/api/inngest`;
  });

  afterAll(async () => {
    await Promise.all([close(app), close(api)]);
  });

  beforeEach(() => {
    sdkErrors.length = 0;
  });

  const payload = {
    event: {
      name: "sig/echo",
      data: { n: 1, text: "héllo" },
      id: "01J0000000000000000000000",
      ts: 1718000000000,
    },
    events: [
      { name: "sig/echo", data: { n: 1, text: "héllo" }, id: "01J0000000000000000000000", ts: 1718000000000 },
    ],
    steps: {},
    ctx: {
      run_id: "01J0000000000000000000RUN",
      attempt: 0,
      max_attempts: 4,
      stack: { stack: [], current: 0 },
    },
    version: 2,
  };

  function call(body: string, signature?: string) {
    return fetch(`${appUrl}?fnId=sig-test-echo&stepId=step`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(signature ? { "x-inngest-signature": signature } : {}),
      },
      body,
    });
  }

  it("runs a call signed over the canonical body, and signs its raw response", async () => {
    const body = canonicalJson(payload);
    const res = await call(body, signBody(body, KEY));
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toEqual({ received: { n: 1, text: "héllo" } });
    const signature = res.headers.get("x-inngest-signature");
    expect(verifySignature(signature, text, [KEY])).toBe(true);
    expect(verifySignature(signature, text, [FALLBACK_KEY])).toBe(false);
    expect(verifySignature(signature, `${text} `, [KEY])).toBe(false);
    expect(sdkErrors).toEqual([]);
  });

  it("accepts the fallback key and answers with it", async () => {
    const body = canonicalJson(payload);
    const res = await call(body, signBody(body, FALLBACK_KEY));
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(verifySignature(res.headers.get("x-inngest-signature"), text, [KEY])).toBe(false);
    expect(verifySignature(res.headers.get("x-inngest-signature"), text, [KEY, FALLBACK_KEY])).toBe(true);
  });

  it("refuses a call that is unsigned, signed with another key, or expired", async () => {
    const body = canonicalJson(payload);
    const expired = new Date(Date.now() - 10 * 60_000);
    for (const signature of [undefined, signBody(body, OTHER_KEY), signBody(body, KEY, expired)]) {
      const res = await call(body, signature);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: "Unauthorized" });
    }
    expect(sdkErrors).toEqual(Array(3).fill("Signature validation failed"));
  });

  it("verifies the canonical form, not the bytes: signing a non-canonical body as sent is refused", async () => {
    const pretty = JSON.stringify(payload, null, 2);
    expect((await call(pretty, signBody(pretty, KEY))).status).toBe(401);
    expect((await call(pretty, signBody(canonicalJson(payload), KEY))).status).toBe(200);
  });

  it("sends the hashed key as a bearer token when it syncs, then the hashed fallback", async () => {
    const res = await fetch(appUrl, { method: "PUT" });
    expect(res.status).toBe(200);
    expect(registerAuthorizations).toEqual([
      `Bearer ${hashSigningKey(KEY)}`,
      `Bearer ${hashSigningKey(FALLBACK_KEY)}`,
    ]);
    expect(verifyBearer(registerAuthorizations[0], [KEY])).toBe(true);
  });
});

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

function close(server: http.Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

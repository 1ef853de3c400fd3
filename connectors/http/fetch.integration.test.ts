import { once } from "node:events";
import http, { type IncomingHttpHeaders, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { guardedFetch, type Resolver } from "./fetch";

/** A real HTTP server on loopback that records what reached it. */
interface TestServer {
  readonly port: number;
  readonly origin: string;
  readonly hits: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

async function startServer(handler: RequestListener): Promise<TestServer> {
  const hits: TestServer["hits"] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      hits.push({
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      });
      handler(request, response);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const redirect = (response: http.ServerResponse, status: number, location: string) => {
  response.writeHead(status, { location });
  response.end();
};

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

let internal: TestServer; // the internal service an attacker wants to reach
let partner: TestServer; // a service the tenant reaches, through redirects of every kind
let lookup: Resolver;
let resolutions: string[];

beforeAll(async () => {
  internal = await startServer((_request, response) => response.end("internal secrets"));
  partner = await startServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    if (path === "/hello") return void response.end(JSON.stringify({ hello: "world" }));
    if (path === "/echo")
      return void response.end(JSON.stringify({ method: request.method, headers: request.headers }));
    if (path === "/to-internal") return redirect(response, 302, `${internal.origin}/`);
    if (path === "/to-internal-hex") return redirect(response, 302, `http://0x7f000001:${internal.port}/`);
    if (path === "/to-metadata")
      return redirect(response, 302, "http://169.254.169.254/latest/meta-data/iam/");
    if (path === "/to-name") return redirect(response, 307, `http://rebound.example:${internal.port}/`);
    if (path === "/to-file") return redirect(response, 302, "file:///etc/passwd");
    if (path === "/to-other-origin")
      return redirect(response, 307, `http://other.example:${partner.port}/echo`);
    if (path === "/to-same-origin") return redirect(response, 307, "/echo");
    if (path === "/see-other") return redirect(response, 303, "/echo");
    if (path === "/loop") return redirect(response, 302, "/loop");
    if (path === "/big") return void response.end("x".repeat(2000));
    if (path === "/big-chunked") {
      response.write("x".repeat(800));
      return void response.end("x".repeat(800));
    }
    if (path === "/silent") return; // never answers
    response.writeHead(404).end();
  });
  lookup = (hostname) => {
    resolutions.push(hostname);
    const table: Record<string, string> = {
      // Names under .invalid never resolve in real DNS (RFC 6761), so a connection that reached the
      // server proves it used the address the guard checked, not a fresh lookup.
      "api.partner.invalid": "127.0.0.1",
      "other.example": "127.0.0.1",
      "rebound.example": "127.0.0.1",
    };
    const address = table[hostname];
    return Promise.resolve(address === undefined ? [] : [{ address, family: 4 }]);
  };
});

afterAll(async () => {
  await internal.close();
  await partner.close();
});

beforeEach(() => {
  resolutions = [];
  internal.hits.length = 0;
  partner.hits.length = 0;
});

describe("guardedFetch over real HTTP", () => {
  it("reaches a name only when the tenant allowlists it, connecting to the address it checked", async () => {
    const url = `http://api.partner.invalid:${partner.port}/hello`;
    const refused = await refusal(guardedFetch(url, {}, { lookup }));
    expect(refused.message).toContain("api.partner.invalid resolves to 127.0.0.1, a loopback address");
    expect(partner.hits).toHaveLength(0);

    const response = await guardedFetch(url, {}, { lookup, allowHosts: ["api.partner.invalid"] });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ hello: "world" });
    expect(response.redirected).toBe(false);
    expect(resolutions).toEqual(["api.partner.invalid", "api.partner.invalid"]);
    expect(partner.hits[0]?.headers.host).toBe(`api.partner.invalid:${partner.port}`);
  });

  it("sends the method, headers and body", async () => {
    const response = await guardedFetch(
      `${partner.origin}/echo`,
      { method: "POST", headers: { "content-type": "application/json", "x-trace": "1" }, body: '{"a":1}' },
      { allowHosts: [`127.0.0.1:${partner.port}`] },
    );
    expect(response.json()).toMatchObject({ method: "POST", headers: { "x-trace": "1" } });
    expect(partner.hits[0]?.body).toBe('{"a":1}');
  });

  it.each([
    ["/to-internal", () => `127.0.0.1 is a loopback address`],
    ["/to-internal-hex", () => `127.0.0.1 is a loopback address`],
    ["/to-metadata", () => "169.254.169.254 is a link-local / cloud metadata address"],
    ["/to-name", () => "rebound.example resolves to 127.0.0.1, a loopback address"],
  ])("refuses a redirect from an allowlisted host to an internal one (%s)", async (path, reason) => {
    // Only the partner's port is allowlisted: the same address on another port is another service.
    const error = await refusal(
      guardedFetch(`${partner.origin}${path}`, {}, { lookup, allowHosts: [`127.0.0.1:${partner.port}`] }),
    );
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain(reason());
    expect(partner.hits).toHaveLength(1);
    expect(internal.hits).toHaveLength(0);
  });

  it("refuses a redirect to a non-http(s) URL", async () => {
    const error = await refusal(
      guardedFetch(`${partner.origin}/to-file`, {}, { allowHosts: [`127.0.0.1:${partner.port}`] }),
    );
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toBe(
      `Refused to follow a redirect from 127.0.0.1:${partner.port} to a file: URL: only http and https are allowed`,
    );
  });

  it("drops credentials on a cross-origin redirect and keeps them on a same-origin one", async () => {
    const allowHosts = [`127.0.0.1:${partner.port}`, `other.example:${partner.port}`];
    const init = {
      method: "POST",
      headers: { authorization: "Bearer s3cret", cookie: "sid=1", "x-api-key": "k3y", "x-trace": "1" },
      body: "payload",
    };
    const options = { lookup, allowHosts, credentialHeaders: ["X-Api-Key"] };

    const cross = await guardedFetch(`${partner.origin}/to-other-origin`, init, options);
    expect(cross.url).toBe(`http://other.example:${partner.port}/echo`);
    expect(cross.redirected).toBe(true);
    const crossHeaders = partner.hits[1]?.headers ?? {};
    expect(crossHeaders).not.toHaveProperty("authorization");
    expect(crossHeaders).not.toHaveProperty("cookie");
    expect(crossHeaders).not.toHaveProperty("x-api-key");
    expect(crossHeaders["x-trace"]).toBe("1");
    expect(partner.hits[1]).toMatchObject({ method: "POST", body: "payload" }); // 307 keeps both

    const same = await guardedFetch(`${partner.origin}/to-same-origin`, init, options);
    expect(same.status).toBe(200);
    expect(partner.hits[3]?.headers).toMatchObject({ authorization: "Bearer s3cret", "x-api-key": "k3y" });
  });

  it("turns URL credentials into Basic auth", async () => {
    await guardedFetch(
      `http://ann:p%40ss@127.0.0.1:${partner.port}/echo`,
      {},
      { allowHosts: [`127.0.0.1:${partner.port}`] },
    );
    expect(partner.hits[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("ann:p@ss").toString("base64")}`,
    );
  });

  it("follows 303 with a GET without the body", async () => {
    const response = await guardedFetch(
      `${partner.origin}/see-other`,
      { method: "POST", headers: { "content-type": "text/plain" }, body: "payload" },
      { allowHosts: [`127.0.0.1:${partner.port}`] },
    );
    expect(response.status).toBe(200);
    expect(partner.hits[1]).toMatchObject({ method: "GET", body: "" });
    expect(partner.hits[1]?.headers).not.toHaveProperty("content-type");
  });

  it("gives up after maxRedirects", async () => {
    const error = await refusal(
      guardedFetch(
        `${partner.origin}/loop`,
        {},
        { allowHosts: [`127.0.0.1:${partner.port}`], maxRedirects: 3 },
      ),
    );
    expect(error.message).toBe(`Too many redirects from 127.0.0.1:${partner.port} (more than 3)`);
    expect(partner.hits).toHaveLength(4);
  });

  it.each(["/big", "/big-chunked"])("refuses a response larger than maxResponseBytes (%s)", async (path) => {
    const error = await refusal(
      guardedFetch(
        `${partner.origin}${path}`,
        {},
        { allowHosts: [`127.0.0.1:${partner.port}`], maxResponseBytes: 1000 },
      ),
    );
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.message).toBe(`The response from 127.0.0.1:${partner.port} is larger than 1000 bytes`);
  });

  it("stops waiting at timeoutMs", async () => {
    const error = await refusal(
      guardedFetch(
        `${partner.origin}/silent`,
        {},
        { allowHosts: [`127.0.0.1:${partner.port}`], timeoutMs: 200 },
      ),
    );
    expect(error.message).toBe(`127.0.0.1:${partner.port} did not answer within 200 ms`);
  });

  it("says when nothing listens", async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    const error = await refusal(guardedFetch(`${closed.origin}/`, {}, { allowHosts: ["127.0.0.1"] }));
    expect(error.message).toBe(`Could not reach 127.0.0.1:${closed.port} (ECONNREFUSED)`);
  });
});

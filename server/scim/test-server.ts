/**
 * For integration tests: Tenet's SCIM endpoint (handleScimRequest) served by node:http on 127.0.0.1
 * at a free port, so clients talk to it over real HTTP.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { PrismaClient } from "@/server/db/client";
import { handleScimRequest } from "./http";

export type ScimTestServer = {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** The allowHosts entry a connection needs to reach it through the SSRF guard. */
  host: string;
  /** `<origin>/api/scim/v2/<slug>`: a tenant's SCIM base URL. */
  baseUrl(slug: string): string;
  close(): Promise<void>;
};

export async function startScimTestServer(db: PrismaClient): Promise<ScimTestServer> {
  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (typeof value === "string") headers.set(name, value);
        else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      }
      const method = incoming.method ?? "GET";
      const body = method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks);
      const request = new Request(`http://${incoming.headers.host ?? "127.0.0.1"}${incoming.url ?? "/"}`, {
        method,
        headers,
        body,
      });
      handleScimRequest(request, db)
        .then(async (response) => {
          const text = await response.text();
          outgoing.writeHead(response.status, Object.fromEntries(response.headers));
          outgoing.end(text);
        })
        .catch((error: unknown) => {
          outgoing.writeHead(500).end(String(error));
        });
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    host: `127.0.0.1:${port}`,
    baseUrl: (slug) => `${origin}/api/scim/v2/${encodeURIComponent(slug)}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

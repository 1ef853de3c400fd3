/**
 * A real HTTP server on loopback for the connector's tests: it records every request that reached
 * it, so a test can prove that a refused call sent nothing.
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, inject } from "vitest";
import { createPrismaClient, type PrismaClient } from "@/server/db/client";
import type { DriverContext } from "../sdk";
import { driverContext } from "../testing";

export interface Hit {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface TestServer {
  readonly port: number;
  /** http://127.0.0.1:<port>, or http://[::1]:<port> for a server on IPv6 loopback. */
  readonly origin: string;
  readonly hits: Hit[];
  close(): Promise<void>;
}

export type Handler = (hit: Hit, response: http.ServerResponse) => void;

export async function startTestServer(handler: Handler, host = "127.0.0.1"): Promise<TestServer> {
  const hits: Hit[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = request.url ?? "/";
      const hit: Hit = {
        method: request.method ?? "",
        url,
        path: new URL(url, "http://x").pathname,
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      };
      hits.push(hit);
      handler(hit, response);
    });
  });
  server.listen(0, host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: host.includes(":") ? `http://[${host}]:${port}` : `http://${host}:${port}`,
    hits,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export function json(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

/**
 * A driver context for an outbound connector's tests: `driverContext` on the test database's app-role
 * client, made here rather than through server/testing/fixtures (which loads the whole tRPC router)
 * because these drivers never touch the database. The client connects only if something queries it.
 */
let db: PrismaClient | undefined;
afterAll(async () => {
  await db?.$disconnect();
});
export function connectorContext(
  connection: NonNullable<DriverContext["connection"]>,
  tenantId = randomUUID(),
): DriverContext {
  db ??= createPrismaClient(inject("appUrl"), { max: 1 });
  return driverContext(db, tenantId, connection);
}

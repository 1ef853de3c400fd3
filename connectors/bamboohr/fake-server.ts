/**
 * TEST DOUBLE OF A THIRD-PARTY SERVICE. This is not BambooHR: it is a local imitation of the few
 * BambooHR REST endpoints the `bamboohr` connector uses, for the connector's tests and the demo, so
 * that every call crosses real HTTP on 127.0.0.1 without a BambooHR account. It keeps employees in
 * memory and forgets them when closed.
 *
 * What it imitates (https://documentation.bamboohr.com/reference), under
 * `/api/gateway.php/<companyDomain>/v1`:
 * - HTTP Basic auth with the API key as the user name and any password; anything else is 401;
 * - `GET /employees/directory` → `{ fields, employees }`;
 * - `GET /employees/<id>?fields=a,b` → `{ id, a, b }` (id 0 is the API key's own employee), 404 when
 *   unknown;
 * - `POST /employees` (JSON) → 201 with `Location: …/v1/employees/<newId>` and no body; 400 with
 *   `X-BambooHR-Error-Message` when firstName or lastName is missing;
 * - `POST /employees/<id>` (JSON) → 200, 404 when unknown;
 * - JSON only when the client asks for it (`Accept: application/json`); the real API would answer
 *   XML, this double answers 406.
 * Values are strings, empty as "" and dates "0000-00-00", as BambooHR sends them.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

export const FAKE_FIELDS = [
  "firstName",
  "lastName",
  "workEmail",
  "jobTitle",
  "department",
  "supervisorEId",
  "status",
  "hireDate",
] as const;
type FakeField = (typeof FAKE_FIELDS)[number];
export type FakeEmployee = { id: string } & Record<FakeField, string>;

export interface FakeRequest {
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  readonly query: string;
  readonly status: number;
}

export interface FakeBambooHr {
  /** http://127.0.0.1:<port>: the connection's baseUrl. */
  readonly baseUrl: string;
  /** `127.0.0.1:<port>`, for the connection's allowHosts. */
  readonly host: string;
  readonly companyDomain: string;
  readonly employees: Map<string, FakeEmployee>;
  /** Every request that reached the double, in order. */
  readonly requests: FakeRequest[];
  close(): Promise<void>;
}

export interface FakeOptions {
  readonly apiKey: string;
  readonly companyDomain: string;
  /** Seed employees; the first is the API key's own (employee 0). */
  readonly employees?: readonly Partial<Record<FakeField, string>>[];
}

const emptyEmployee = (): Record<FakeField, string> => ({
  firstName: "",
  lastName: "",
  workEmail: "",
  jobTitle: "",
  department: "",
  supervisorEId: "",
  status: "Active",
  hireDate: "0000-00-00",
});

const isFakeField = (name: string): name is FakeField => (FAKE_FIELDS as readonly string[]).includes(name);

export async function startFakeBambooHr(options: FakeOptions): Promise<FakeBambooHr> {
  const employees = new Map<string, FakeEmployee>();
  const requests: FakeRequest[] = [];
  let nextId = 100;
  const add = (fields: Partial<Record<FakeField, string>>): FakeEmployee => {
    const employee: FakeEmployee = { ...emptyEmployee(), ...fields, id: String(nextId++) };
    employees.set(employee.id, employee);
    return employee;
  };
  for (const seed of options.employees ?? []) add(seed);

  const prefix = `/api/gateway.php/${options.companyDomain}/v1`;
  const expectedAuth = (header: string | undefined) => {
    const match = /^Basic (.+)$/.exec(header ?? "");
    if (!match?.[1]) return false;
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    return decoded.slice(0, decoded.indexOf(":")) === options.apiKey;
  };

  let origin = "";
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://fake");
      const method = request.method ?? "";
      const reply = (status: number, body?: unknown, headers: http.OutgoingHttpHeaders = {}) => {
        requests.push({ method, path: url.pathname, query: url.search, status });
        if (body === undefined) return void response.writeHead(status, headers).end();
        response
          .writeHead(status, { "content-type": "application/json", ...headers })
          .end(JSON.stringify(body));
      };
      const refuse = (status: number, message: string) =>
        reply(status, undefined, { "x-bamboohr-error-message": message });

      if (!expectedAuth(request.headers.authorization)) return refuse(401, "Invalid API key");
      if (!url.pathname.startsWith(`${prefix}/`)) return refuse(404, "Unknown company or path");
      if (!(request.headers.accept ?? "").includes("application/json"))
        return refuse(406, "This test double answers JSON only");
      const path = url.pathname.slice(prefix.length);

      let body: Record<string, unknown> = {};
      if (method === "POST") {
        try {
          const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
            throw new Error("not an object");
          body = Object.fromEntries(Object.entries(parsed));
        } catch {
          return refuse(400, "The body must be a JSON object");
        }
        const unknown = Object.keys(body).filter(
          (k) => !isFakeField(k) || k === "status" || k === "supervisorEId",
        );
        if (unknown.length > 0) return refuse(400, `Unknown or read-only fields: ${unknown.join(", ")}`);
        if (Object.values(body).some((v) => typeof v !== "string"))
          return refuse(400, "Field values are strings");
      }
      const fieldsOf = (from: Record<string, unknown>): Partial<Record<FakeField, string>> => {
        const fields: Partial<Record<FakeField, string>> = {};
        for (const [key, value] of Object.entries(from))
          if (isFakeField(key) && typeof value === "string") fields[key] = value;
        return fields;
      };

      if (method === "GET" && path === "/employees/directory") {
        return reply(200, {
          fields: [
            { id: "displayName", type: "text", name: "Display name" },
            { id: "firstName", type: "text", name: "First name" },
            { id: "lastName", type: "text", name: "Last name" },
            { id: "jobTitle", type: "list", name: "Job title" },
            { id: "workEmail", type: "email", name: "Work Email" },
            { id: "department", type: "list", name: "Department" },
          ],
          employees: [...employees.values()].map((e) => ({
            id: e.id,
            displayName: `${e.firstName} ${e.lastName}`,
            firstName: e.firstName,
            lastName: e.lastName,
            jobTitle: e.jobTitle,
            workEmail: e.workEmail,
            department: e.department,
          })),
        });
      }
      if (method === "POST" && path === "/employees") {
        const fields = fieldsOf(body);
        if (!fields.firstName || !fields.lastName) return refuse(400, "firstName and lastName are required");
        const created = add(fields);
        return reply(201, undefined, { location: `${origin}${prefix}/employees/${created.id}` });
      }
      const one = /^\/employees\/(\d+)$/.exec(path);
      if (one?.[1] !== undefined) {
        const id = one[1] === "0" ? [...employees.keys()][0] : one[1];
        const employee = id === undefined ? undefined : employees.get(id);
        if (employee === undefined) return refuse(404, "Employee not found");
        if (method === "GET") {
          const wanted = (url.searchParams.get("fields") ?? "firstName,lastName").split(",");
          const record: Record<string, string | null> = { id: employee.id };
          for (const field of wanted) record[field] = isFakeField(field) ? employee[field] : null;
          return reply(200, record);
        }
        if (method === "POST") {
          Object.assign(employee, fieldsOf(body));
          return reply(200);
        }
      }
      return refuse(404, "No such endpoint in this test double");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: origin,
    host: `127.0.0.1:${port}`,
    companyDomain: options.companyDomain,
    employees,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

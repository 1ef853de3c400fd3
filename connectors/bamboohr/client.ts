/**
 * The few BambooHR API calls the connector makes, over guardedFetch. BambooHR answers XML unless asked
 * for JSON, returns every field as a string ("" or "0000-00-00" when empty), says why it refused a
 * request in the X-BambooHR-Error-Message header, and answers a create with 201 and a Location header
 * that ends in the new employee's id.
 */
import { z } from "zod";
import { AppError } from "@/server/errors";
import { basicAuthorization, redact } from "../http/connection";
import { guardedFetch, type GuardedResponse, type Resolver } from "../http/fetch";
import { EMPLOYEE_FIELDS, type BambooConfig, type BambooCredentials, type Employee } from "./manifest";

const REQUEST_TIMEOUT_MS = 25_000;

export type DirectoryEntry = { id: string; firstName: string; lastName: string; workEmail: string | null };

const directoryResponse = z.object({
  employees: z.array(
    z.looseObject({
      id: z.union([z.string(), z.number()]).transform(String),
      firstName: z.string().nullish(),
      lastName: z.string().nullish(),
      workEmail: z.string().nullish(),
    }),
  ),
});

const employeeResponse = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  ...Object.fromEntries(EMPLOYEE_FIELDS.map((field) => [field, z.string().nullish()])),
});

/** BambooHR's spellings of "no value". */
const orNull = (value: unknown): string | null =>
  typeof value === "string" && value !== "" && value !== "0000-00-00" ? value : null;

export class BambooHrClient {
  private readonly host: string;

  constructor(
    private readonly config: BambooConfig,
    private readonly credentials: BambooCredentials,
    private readonly signal: AbortSignal,
    private readonly lookup?: Resolver,
  ) {
    this.host = new URL(config.baseUrl).host;
  }

  private url(path: string): URL {
    const base = this.config.baseUrl.replace(/\/+$/, "");
    return new URL(`${base}/api/gateway.php/${encodeURIComponent(this.config.companyDomain)}/v1${path}`);
  }

  private async request(method: "GET" | "POST", path: string, body?: unknown): Promise<GuardedResponse> {
    const headers: Record<string, string> = {
      // RFC 7617: BambooHR takes the API key as the user name; the password is not checked.
      authorization: basicAuthorization(this.credentials.apiKey, "x"),
      accept: "application/json",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await guardedFetch(
      this.url(path),
      { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: this.signal },
      { allowHosts: this.config.allowHosts, lookup: this.lookup, timeoutMs: REQUEST_TIMEOUT_MS },
    );
    this.check(response, method, path);
    return response;
  }

  /** Statuses that are failures, as AppErrors that say what to do; never the key. */
  private check(response: GuardedResponse, method: string, path: string): void {
    const { status } = response;
    if (status >= 200 && status < 300) return;
    const header = response.headers.get("x-bamboohr-error-message") ?? "";
    const said = redact(header, [this.credentials.apiKey]).slice(0, 200);
    const because = said === "" ? "" : `: ${said}`;
    const what = `${method} ${path.split("?")[0] ?? path}`;
    if (status === 401)
      throw new AppError(
        "UNAUTHORIZED",
        `BambooHR (${this.host}) refused the connection's API key (HTTP 401 to ${what}); check the key and the company domain`,
      );
    if (status === 403)
      throw new AppError(
        "FORBIDDEN",
        `BambooHR refused ${what} (HTTP 403)${because}; the API key's user may lack the permission`,
      );
    if (status === 404) throw new AppError("NOT_FOUND", `BambooHR has no such record (HTTP 404 to ${what})`);
    if (status === 400 || status === 409 || status === 422)
      throw new AppError("BAD_REQUEST", `BambooHR refused ${what} (HTTP ${status})${because}`);
    if (status === 429)
      throw new AppError(
        "RATE_LIMITED",
        `BambooHR is limiting requests (HTTP 429 to ${what}); try again later`,
      );
    throw new AppError("UNAVAILABLE", `BambooHR failed (HTTP ${status} to ${what})`);
  }

  private json(response: GuardedResponse, what: string): unknown {
    try {
      return response.json();
    } catch {
      throw new AppError("UNAVAILABLE", `BambooHR answered ${what} with something other than JSON`);
    }
  }

  async directory(): Promise<DirectoryEntry[]> {
    const response = await this.request("GET", "/employees/directory");
    const parsed = directoryResponse.safeParse(this.json(response, "the directory"));
    if (!parsed.success)
      throw new AppError("UNAVAILABLE", "BambooHR's directory was not in the expected form");
    return parsed.data.employees.map((e) => ({
      id: e.id,
      firstName: e.firstName ?? "",
      lastName: e.lastName ?? "",
      workEmail: orNull(e.workEmail),
    }));
  }

  /** The directory entries with this work email (compared case-insensitively). */
  async byEmail(email: string): Promise<DirectoryEntry[]> {
    const wanted = email.toLowerCase();
    return (await this.directory()).filter((e) => e.workEmail?.toLowerCase() === wanted);
  }

  /** `id` "0" is BambooHR's name for the API key's own employee record. */
  async employee(id: string): Promise<Employee> {
    let response: GuardedResponse;
    try {
      response = await this.request(
        "GET",
        `/employees/${encodeURIComponent(id)}?fields=${EMPLOYEE_FIELDS.join(",")}`,
      );
    } catch (error) {
      if (error instanceof AppError && error.code === "NOT_FOUND")
        throw new AppError("NOT_FOUND", `BambooHR has no employee ${id}`);
      throw error;
    }
    const parsed = employeeResponse.safeParse(this.json(response, `employee ${id}`));
    if (!parsed.success)
      throw new AppError("UNAVAILABLE", `BambooHR's employee ${id} was not in the expected form`);
    const record = parsed.data;
    return {
      id: record.id,
      firstName: orNull(record.firstName) ?? "",
      lastName: orNull(record.lastName) ?? "",
      workEmail: orNull(record.workEmail),
      jobTitle: orNull(record.jobTitle),
      department: orNull(record.department),
      supervisorEId: orNull(record.supervisorEId),
      status: orNull(record.status),
      hireDate: orNull(record.hireDate),
    };
  }

  /** Creates an employee and returns its id, read from the Location header of the 201. */
  async create(fields: Record<string, string>): Promise<string> {
    const response = await this.request("POST", "/employees", fields);
    const location = response.headers.get("location") ?? "";
    const id = /\/employees\/(\d+)\/?$/.exec(location)?.[1];
    if (id === undefined)
      throw new AppError(
        "UNAVAILABLE",
        `BambooHR created the employee but did not say its id (HTTP ${response.status}, no usable Location header)`,
      );
    return id;
  }

  /** Writes the given fields; "" clears one (BambooHR's convention). */
  async update(id: string, fields: Record<string, string>): Promise<void> {
    try {
      await this.request("POST", `/employees/${encodeURIComponent(id)}`, fields);
    } catch (error) {
      if (error instanceof AppError && error.code === "NOT_FOUND")
        throw new AppError("NOT_FOUND", `BambooHR has no employee ${id}`);
      throw error;
    }
  }
}

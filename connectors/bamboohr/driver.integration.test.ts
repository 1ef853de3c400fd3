/**
 * The BambooHR connector's driver against the BambooHR test double (fake-server.ts) over real HTTP
 * on 127.0.0.1.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { AppError } from "@/server/errors";
import { connectorContext } from "../http/test-server";
import type { DriverContext } from "../sdk";
import { createBambooHrDriver } from "./driver";
import { startFakeBambooHr, type FakeBambooHr } from "./fake-server";
import { bambooManifest, createOutput, employeeOutput, updateOutput } from "./manifest";

const API_KEY = "bamboo_3f9a1c7e5d2b4a6c8e0f";

let fake: FakeBambooHr;

const seed = [
  {
    firstName: "Ada",
    lastName: "Lovelace",
    workEmail: "ada@acme.example",
    jobTitle: "Head of Engineering",
    department: "Engineering",
    hireDate: "2020-01-06",
  },
  {
    firstName: "Grace",
    lastName: "Hopper",
    workEmail: "Grace@Acme.example",
    jobTitle: "Engineer",
    department: "Engineering",
    supervisorEId: "100",
    hireDate: "2021-03-01",
  },
];

beforeAll(async () => {
  fake = await startFakeBambooHr({ apiKey: API_KEY, companyDomain: "acme", employees: seed });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.requests.length = 0;
});

function ctxWith(apiKey = API_KEY, config: Record<string, string | string[]> = {}): DriverContext {
  return connectorContext({
    id: randomUUID(),
    config: { companyDomain: "acme", baseUrl: fake.baseUrl, allowHosts: [fake.host], ...config },
    credentials: { apiKey },
  });
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  expect(error.message).not.toContain(API_KEY);
  return error;
}

const driver = createBambooHrDriver();
const read = driver.actions["hr.remote.employee.read"];
const create = driver.actions["hr.remote.employee.create"];
const update = driver.actions["hr.remote.employee.update"];
/**
 * A driver function called with input as the kernel hands it over, before its schema: what an agent
 * sent, wrong or not (the driver checks it again).
 */
const asSent =
  <I, O>(run: (input: I, ctx: DriverContext) => Promise<O>) =>
  (input: unknown, ctx: DriverContext) =>
    run(input as I, ctx);
const onlyGets = () => fake.requests.every((r) => r.method === "GET");

describe("hr.remote.employee.read", () => {
  it("reads an employee by id with BambooHR's fields, empty values as null", async () => {
    const employee = await read.run({ id: "101" }, ctxWith());
    expect(employeeOutput.parse(employee)).toEqual(employee);
    expect(employee).toEqual({
      id: "101",
      firstName: "Grace",
      lastName: "Hopper",
      workEmail: "Grace@Acme.example",
      jobTitle: "Engineer",
      department: "Engineering",
      supervisorEId: "100",
      status: "Active",
      hireDate: "2021-03-01",
    });
    expect(fake.requests).toEqual([
      {
        method: "GET",
        path: "/api/gateway.php/acme/v1/employees/101",
        query: "?fields=firstName,lastName,workEmail,jobTitle,department,supervisorEId,status,hireDate",
        status: 200,
      },
    ]);
    const ada = await asSent(read.run)({ id: 100 }, ctxWith());
    expect(ada.supervisorEId).toBeNull();
  });

  it("finds an employee by work email in the directory, ignoring case", async () => {
    const employee = await read.run({ email: "grace@acme.example" }, ctxWith());
    expect(employee.id).toBe("101");
    expect(fake.requests.map((r) => r.path)).toEqual([
      "/api/gateway.php/acme/v1/employees/directory",
      "/api/gateway.php/acme/v1/employees/101",
    ]);
  });

  it("says when there is no such employee", async () => {
    const byId = await failure(read.run({ id: "999" }, ctxWith()));
    expect(byId.code).toBe("NOT_FOUND");
    expect(byId.message).toBe("BambooHR has no employee 999");
    const byEmail = await failure(read.run({ email: "nobody@acme.example" }, ctxWith()));
    expect(byEmail.message).toBe("BambooHR has no employee with work email nobody@acme.example");
  });
});

describe("hr.remote.employee.create", () => {
  it("creates an employee and reads its id from the Location header", async () => {
    const input = {
      firstName: "Katherine",
      lastName: "Johnson",
      workEmail: "katherine@acme.example",
      jobTitle: "Mathematician",
      department: "Research",
      hireDate: "2026-12-01",
    };
    const output = await create.run(input, ctxWith());
    expect(createOutput.parse(output)).toEqual(output);
    expect(fake.employees.get(output.id)).toMatchObject({ ...input, status: "Active" });
    expect(fake.requests).toMatchObject([
      { method: "POST", path: "/api/gateway.php/acme/v1/employees", status: 201 },
    ]);
  });

  it("dry-runs a create: the fields, a warning when the work email exists, and no write", async () => {
    const dryRun = create.dryRun;
    if (!dryRun) throw new Error("create has a dry run");
    const before = fake.employees.size;
    const preview = await dryRun(
      { firstName: "Ada", lastName: "King", workEmail: "ADA@acme.example" },
      ctxWith(),
    );
    expect(preview.changes).toEqual([
      {
        op: "create",
        object: "BambooHR employee Ada King",
        fields: { firstName: { to: "Ada" }, lastName: { to: "King" }, workEmail: { to: "ada@acme.example" } },
      },
    ]);
    expect(preview.warnings[0]).toBe(
      "BambooHR already has an employee with work email ada@acme.example: Ada Lovelace (id 100)",
    );
    expect(fake.employees.size).toBe(before);
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(onlyGets()).toBe(true);
  });

  it("dry-runs a create without a work email without asking BambooHR anything", async () => {
    const dryRun = create.dryRun;
    if (!dryRun) throw new Error("create has a dry run");
    const preview = await dryRun({ firstName: "Alan", lastName: "Turing" }, ctxWith());
    expect(preview.warnings).toEqual([
      "Cannot be undone through Tenet: BambooHR's API does not delete employees",
    ]);
    expect(fake.requests).toHaveLength(0);
  });
});

describe("hr.remote.employee.update", () => {
  it("writes the changed fields, returns the previous values, and its reversal restores them", async () => {
    const { id } = await create.run(
      { firstName: "Mary", lastName: "Jackson", jobTitle: "Engineer" },
      ctxWith(),
    );
    fake.requests.length = 0;
    const input = {
      id,
      fields: { jobTitle: "Aerospace Engineer", department: "Aeronautics", lastName: "Jackson" },
    };
    const output = await update.run(input, ctxWith());
    expect(updateOutput.parse(output)).toEqual(output);
    expect(output).toEqual({
      id,
      changed: {
        jobTitle: { from: "Engineer", to: "Aerospace Engineer" },
        department: { from: null, to: "Aeronautics" },
      },
      previous: { jobTitle: "Engineer", department: null, lastName: "Jackson" },
    });
    expect(fake.employees.get(id)).toMatchObject({
      jobTitle: "Aerospace Engineer",
      department: "Aeronautics",
    });
    expect(fake.requests.map((r) => r.method)).toEqual(["GET", "POST"]);

    const spec = bambooManifest.actions["hr.remote.employee.update"];
    if (spec.reversible === false) throw new Error("update is reversible");
    expect(spec.reversible.by).toBe("hr.remote.employee.update");
    const reversal = await asSent(update.run)(spec.reversible.input(input, output), ctxWith());
    expect(reversal.changed).toEqual({
      jobTitle: { from: "Aerospace Engineer", to: "Engineer" },
      department: { from: "Aeronautics", to: null },
    });
    expect(fake.employees.get(id)).toMatchObject({ jobTitle: "Engineer", department: "" });
  });

  it("sends nothing when nothing differs", async () => {
    const output = await update.run({ id: "100", fields: { department: "Engineering" } }, ctxWith());
    expect(output.changed).toEqual({});
    expect(onlyGets()).toBe(true);
  });

  it("dry-runs an update: reads the record, reports the changes, writes nothing", async () => {
    const dryRun = update.dryRun;
    if (!dryRun) throw new Error("update has a dry run");
    const preview = await dryRun(
      { id: "101", fields: { jobTitle: "Rear Admiral", hireDate: null } },
      ctxWith(),
    );
    expect(preview).toEqual({
      changes: [
        {
          op: "update",
          object: "BambooHR employee 101 (Grace Hopper)",
          fields: {
            jobTitle: { from: "Engineer", to: "Rear Admiral" },
            hireDate: { from: "2021-03-01", to: null },
          },
        },
      ],
      warnings: [],
    });
    expect(fake.employees.get("101")).toMatchObject({ jobTitle: "Engineer", hireDate: "2021-03-01" });
    expect(fake.requests).toHaveLength(1);
    expect(onlyGets()).toBe(true);
  });

  it("says when the employee does not exist", async () => {
    const error = await failure(update.run({ id: "999", fields: { jobTitle: "X" } }, ctxWith()));
    expect(error.code).toBe("NOT_FOUND");
    expect(onlyGets()).toBe(true);
  });
});

describe("the BambooHR connector refuses before sending", () => {
  it.each([
    ["read with a non-numeric id", () => read.run({ id: "../admin" }, ctxWith())],
    [
      "read with both an id and an email",
      () => asSent(read.run)({ id: "1", email: "a@b.example" }, ctxWith()),
    ],
    ["read with a bad email", () => read.run({ email: "not-an-email" }, ctxWith())],
    ["create without a last name", () => asSent(create.run)({ firstName: "Ada" }, ctxWith())],
    [
      "create with a bad hire date",
      () => create.run({ firstName: "A", lastName: "B", hireDate: "1/2/2026" }, ctxWith()),
    ],
    [
      "create with an unknown field",
      () => asSent(create.run)({ firstName: "A", lastName: "B", salary: "1" }, ctxWith()),
    ],
    ["update with no fields", () => update.run({ id: "100", fields: {} }, ctxWith())],
    [
      "update clearing a last name",
      () => asSent(update.run)({ id: "100", fields: { lastName: null } }, ctxWith()),
    ],
    [
      "dry run of a bad update",
      () => update.dryRun?.({ id: "x", fields: { jobTitle: "A" } }, ctxWith()) ?? Promise.resolve(),
    ],
  ])("refuses %s", async (_what, call) => {
    const error = await failure(call());
    expect(error.code).toBe("BAD_REQUEST");
    expect(fake.requests).toHaveLength(0);
  });

  it("refuses an internal base URL that is not allowlisted (the SSRF guard)", async () => {
    const metadata = await failure(
      read.run({ id: "100" }, ctxWith(API_KEY, { baseUrl: "https://169.254.169.254" })),
    );
    expect(metadata.code).toBe("FORBIDDEN");
    expect(metadata.message).toContain("169.254.169.254 is a link-local / cloud metadata address");
    const loopback = await failure(
      read.run({ id: "100" }, ctxWith(API_KEY, { baseUrl: `https://${fake.host}`, allowHosts: [] })),
    );
    expect(loopback.code).toBe("FORBIDDEN");
    expect(fake.requests).toHaveLength(0);
  });

  it("refuses plain http to a host that is not allowlisted", async () => {
    const error = await failure(read.run({ id: "100" }, ctxWith(API_KEY, { allowHosts: [] })));
    expect(error.message).toContain("baseUrl: Use https");
    expect(fake.requests).toHaveLength(0);
  });
});

describe("the BambooHR connection", () => {
  it("fails clearly with a wrong API key, without the key in the message", async () => {
    const wrong = "bamboo_wrong_key_0000";
    const error = await failure(read.run({ id: "100" }, ctxWith(wrong)));
    expect(error.code).toBe("UNAUTHORIZED");
    expect(error.message).toBe(
      `BambooHR (${fake.host}) refused the connection's API key (HTTP 401 to GET /employees/100); check the key and the company domain`,
    );
    expect(error.message).not.toContain(wrong);
    expect(fake.requests).toMatchObject([{ status: 401 }]);
  });

  it("tests the connection by reading the API key's own employee", async () => {
    const test = driver.test;
    if (!test) throw new Error("the BambooHR driver has a connection test");
    await expect(test(ctxWith())).resolves.toBe("Signed in to BambooHR (acme) as Ada Lovelace");
    expect(fake.requests[0]?.path).toBe("/api/gateway.php/acme/v1/employees/0");
    const error = await failure(test(ctxWith("bamboo_wrong_key_1111")));
    expect(error.code).toBe("UNAUTHORIZED");
  });
});

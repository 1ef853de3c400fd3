/** The BambooHR test double answers the way the connector's tests rely on, asked directly. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeBambooHr, type FakeBambooHr } from "./fake-server";

let fake: FakeBambooHr;
const auth = `Basic ${Buffer.from("key-123:x").toString("base64")}`;
const json = { accept: "application/json", "content-type": "application/json" };

beforeAll(async () => {
  fake = await startFakeBambooHr({
    apiKey: "key-123",
    companyDomain: "acme",
    employees: [{ firstName: "Ada" }],
  });
});

afterAll(async () => {
  await fake.close();
});

const url = (path: string) => `${fake.baseUrl}/api/gateway.php/acme/v1${path}`;

describe("the BambooHR test double", () => {
  it("refuses a request without the API key as the Basic user name", async () => {
    const wrong = `Basic ${Buffer.from("other:key-123").toString("base64")}`;
    for (const authorization of [undefined, wrong]) {
      const headers: Record<string, string> = authorization ? { ...json, authorization } : json;
      const response = await fetch(url("/employees/directory"), { headers });
      expect(response.status).toBe(401);
    }
  });

  it("answers 400 for a create without firstName or lastName, saying why", async () => {
    const response = await fetch(url("/employees"), {
      method: "POST",
      headers: { ...json, authorization: auth },
      body: JSON.stringify({ firstName: "Ada" }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-bamboohr-error-message")).toBe("firstName and lastName are required");
  });

  it("answers 201 with a Location that ends in the new id", async () => {
    const response = await fetch(url("/employees"), {
      method: "POST",
      headers: { ...json, authorization: auth },
      body: JSON.stringify({ firstName: "Grace", lastName: "Hopper" }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("location")).toBe(url("/employees/101"));
  });

  it("answers 404 for an unknown employee or company", async () => {
    const headers = { ...json, authorization: auth };
    expect((await fetch(url("/employees/999"), { headers })).status).toBe(404);
    const other = `${fake.baseUrl}/api/gateway.php/globex/v1/employees/directory`;
    expect((await fetch(other, { headers })).status).toBe(404);
  });

  it("answers JSON only to a client that asks for it", async () => {
    const response = await fetch(url("/employees/directory"), { headers: { authorization: auth } });
    expect(response.status).toBe(406);
  });
});

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { catalogView, connectionSchemasIn, connectorView, fieldsOf, findManifest } from "./catalog-view";
import { TEST_MANIFESTS, testHris, testRooms } from "./test-manifests";

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("connector views", () => {
  it("derives the connection form from the manifest's schemas: labels, required, secret, types", () => {
    const view = connectorView(testHris);
    expect(view).toMatchObject({
      id: "test-hris",
      name: "Test HRIS",
      version: "1.2.0",
      category: "hr",
      rateLimits: { concurrency: 4, requestsPerMinute: 120, tenantRequestsPerMinute: null },
    });
    expect(view.auth.type).toBe("api_key");
    expect(view.auth.credentials).toEqual([
      {
        name: "apiKey",
        label: "API key",
        required: true,
        secret: true,
        type: "string",
        format: null,
        options: null,
        defaultValue: null,
      },
      {
        name: "accountId",
        label: "accountId",
        required: false,
        secret: true,
        type: "string",
        format: null,
        options: null,
        defaultValue: null,
      },
    ]);
    expect(view.auth.config).toEqual([
      expect.objectContaining({
        name: "baseUrl",
        label: "Base URL",
        required: true,
        secret: false,
        format: "uri",
      }),
      // A default makes a field optional for whoever fills the form in.
      expect.objectContaining({
        name: "allowedHosts",
        label: "Private hosts this connection may reach",
        required: false,
        type: "array",
        defaultValue: [],
      }),
      expect.objectContaining({ name: "region", type: "string", options: ["eu", "us"], required: false }),
    ]);
  });

  it("describes each action: effect, reversibility and what undoes it, scopes, limits, input schema", () => {
    const hris = connectorView(testHris);
    expect(hris.actions.map((a) => a.action)).toEqual([
      "hr.remote.employee.create",
      "hr.remote.employee.read",
    ]);
    expect(hris.actions[0]).toEqual({
      action: "hr.remote.employee.create",
      title: "Create an employee",
      description: "create an employee in the external HRIS",
      effect: "write",
      resourceType: "Employee",
      reversible: false,
      compensation: null,
      scopes: ["employees:write"],
      maxParallel: 2,
      timeoutMs: 15_000,
      onConflict: "fail",
      input: {
        type: "object",
        properties: {
          email: expect.objectContaining({ type: "string", format: "email" }) as unknown,
          name: { type: "string", minLength: 1 },
        },
        required: ["email", "name"],
      },
    });
    const rooms = connectorView(testRooms);
    expect(rooms.auth).toEqual({ type: "built-in", credentials: [], config: [] });
    expect(rooms.actions.find((a) => a.action === "facilities.room.book")).toMatchObject({
      reversible: true,
      compensation: { action: "facilities.booking.cancel", title: "Cancel a booking" },
      maxParallel: null,
    });
    // Plain JSON: nothing is lost crossing the API.
    expect(JSON.parse(JSON.stringify(rooms))).toEqual(rooms);
  });

  it("lists connectors by category in the page's order, then by name", () => {
    expect(catalogView(TEST_MANIFESTS).map((c) => c.id)).toEqual(["test-hris", "test-rooms"]);
    expect(catalogView({ b: testRooms, a: testHris }).map((c) => c.category)).toEqual(["hr", "facilities"]);
  });

  it("reads fields of object schemas only, and shows what zod cannot express as JSON", () => {
    expect(fieldsOf(z.string(), true)).toEqual([]);
    expect(
      fieldsOf(z.object({ when: z.date(), extra: z.record(z.string(), z.number()) }), false).map((f) => [
        f.name,
        f.type,
      ]),
    ).toEqual([
      ["when", "json"],
      ["extra", "json"],
    ]);
  });

  it("finds a connector by id, and refuses unknown ids and built-in connectors for connections", () => {
    expect(findManifest(TEST_MANIFESTS, "test-hris")).toBe(testHris);
    for (const id of ["nope", "constructor", "__proto__"]) {
      const error = caught(() => findManifest(TEST_MANIFESTS, id));
      expect(error.code).toBe("NOT_FOUND");
      expect(error.message).toBe("Connector not found");
    }
    const schemas = connectionSchemasIn(TEST_MANIFESTS);
    expect(schemas("test-hris").config.safeParse({ baseUrl: "https://hr.example.com" }).success).toBe(true);
    const builtIn = caught(() => schemas("test-rooms"));
    expect(builtIn.code).toBe("BAD_REQUEST");
    expect(builtIn.fields).toEqual({
      connectorId: ["Test rooms works on Tenet's own data and takes no connection"],
    });
    expect(caught(() => schemas("toString")).fields).toEqual({
      connectorId: ["No installed connector is called toString"],
    });
  });
});

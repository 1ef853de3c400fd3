import { describe, expect, it } from "vitest";
import type { ConnectorField } from "@/app/_lib/trpc-types";
import {
  byCategory,
  connectionSummary,
  credentialsOf,
  draftOf,
  formatMs,
  parseDraft,
} from "./connector-view";

const field = (over: Partial<ConnectorField> & Pick<ConnectorField, "name">): ConnectorField => ({
  label: over.name,
  required: false,
  secret: false,
  type: "string",
  format: null,
  options: null,
  defaultValue: null,
  ...over,
});

describe("connection forms", () => {
  const fields = [
    field({ name: "apiKey", label: "API key", required: true, secret: true, defaultValue: "never-shown" }),
    field({ name: "baseUrl", label: "Base URL", required: true, format: "uri" }),
    field({ name: "allowedHosts", type: "array", defaultValue: [] }),
    field({ name: "pageSize", type: "integer", defaultValue: 50 }),
    field({ name: "verbose", type: "boolean", defaultValue: true }),
    field({ name: "headers", type: "json" }),
    field({ name: "auth", required: true, options: ["api_key", "oauth2"] }),
  ];

  it("starts from the connection's settings, else the defaults; secrets always start empty", () => {
    expect(draftOf(fields)).toEqual({
      apiKey: "",
      baseUrl: "",
      allowedHosts: "",
      pageSize: "50",
      verbose: true,
      headers: "",
      auth: "api_key",
    });
    expect(
      draftOf(fields, {
        baseUrl: "https://a.example",
        allowedHosts: ["a", "b"],
        headers: { x: 1 },
        apiKey: "x",
      }),
    ).toMatchObject({
      apiKey: "",
      baseUrl: "https://a.example",
      allowedHosts: "a\nb",
      headers: '{\n  "x": 1\n}',
    });
  });

  it("parses what the form holds: trimmed text, lists by line, numbers, JSON; empty optional fields are left out", () => {
    expect(
      parseDraft(fields, {
        apiKey: "  sk-123\n",
        baseUrl: "https://a.example",
        allowedHosts: "a.internal\n\n b.internal ",
        pageSize: "",
        verbose: false,
        headers: '{"x": [1]}',
        auth: "oauth2",
      }),
    ).toEqual({
      ok: true,
      values: {
        apiKey: "sk-123",
        baseUrl: "https://a.example",
        allowedHosts: ["a.internal", "b.internal"],
        verbose: false,
        headers: { x: [1] },
        auth: "oauth2",
      },
    });
  });

  it("names each field it cannot read", () => {
    expect(
      parseDraft(fields, {
        apiKey: " ",
        baseUrl: "x",
        pageSize: "2.5",
        verbose: true,
        headers: "{nope",
        auth: "api_key",
      }),
    ).toEqual({
      ok: false,
      errors: {
        apiKey: "Fill this in: it is required",
        pageSize: "Enter a whole number",
        headers: "Enter valid JSON",
      },
    });
  });

  it("sends credentials as text", () => {
    expect(credentialsOf({ apiKey: "sk", n: 5, gone: null })).toEqual({ apiKey: "sk", n: "5" });
  });
});

describe("catalog words", () => {
  it("summarises a connector's connections", () => {
    expect(connectionSummary([])).toBe("No connection yet");
    expect(connectionSummary([{ status: "working" }])).toBe("1 connection, working");
    expect(connectionSummary([{ status: "working" }, { status: "working" }])).toBe(
      "2 connections, all working",
    );
    expect(connectionSummary([{ status: "failing" }, { status: "untested" }])).toBe(
      "2 connections, 1 failing",
    );
    expect(connectionSummary([{ status: "untested" }])).toBe("1 connection, 1 not tested");
  });

  it("groups connectors by category in the page's order, leaving out empty categories", () => {
    const connector = (id: string, category: "hr" | "it" | "finance", name = id) => ({
      id,
      name,
      category,
      version: "1",
      description: "",
      auth: { type: "built-in" as const, credentials: [], config: [] },
      rateLimits: { concurrency: null, requestsPerMinute: null, tenantRequestsPerMinute: null },
      actions: [],
    });
    const groups = byCategory([
      connector("b", "finance"),
      connector("z", "hr", "Zeta"),
      connector("a", "hr", "Alpha"),
    ]);
    expect(groups.map((g) => [g.category, g.connectors.map((c) => c.name)])).toEqual([
      ["hr", ["Alpha", "Zeta"]],
      ["finance", ["b"]],
    ]);
  });

  it("formats durations", () => {
    expect([formatMs(250), formatMs(5000), formatMs(1500)]).toEqual(["250 ms", "5 s", "1.5 s"]);
  });
});

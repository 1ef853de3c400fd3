import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { callerHeaders, requestPath, targetUrl, toOutput } from "./request";

const response = (body: string | Buffer, contentType: string | null, status = 200) => ({
  status,
  url: "https://api.example.com/v2/x",
  headers: new Headers(contentType === null ? {} : { "content-type": contentType, "set-cookie": "a=b" }),
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
});

describe("targetUrl", () => {
  it.each([
    ["https://api.example.com/v2", "/users", "https://api.example.com/v2/users"],
    ["https://api.example.com/v2/", "users/7", "https://api.example.com/v2/users/7"],
    ["https://api.example.com", "/", "https://api.example.com/"],
    ["https://api.example.com/v2", "/users?active=1", "https://api.example.com/v2/users?active=1"],
    ["https://api.example.com/v2?version=3", "/users", "https://api.example.com/v2/users?version=3"],
    ["https://api.example.com/v2", "https://api.example.com/v2/users", "https://api.example.com/v2/users"],
  ])("joins %s and %s", (base, path, expected) => {
    expect(targetUrl(base, path, undefined).href).toBe(expected);
  });

  it("appends query parameters, repeating arrays", () => {
    const url = targetUrl("https://api.example.com/v2", "/users", { tag: ["a", "b"], limit: 10, all: false });
    expect(url.search).toBe("?tag=a&tag=b&limit=10&all=false");
  });

  it.each([
    "https://api.example.com/v2x/users", // a sibling of the base path, not under it
    "https://api.example.com/admin",
    "http://api.example.com/v2/users", // another scheme is another origin
    "https://api.example.com:8443/v2/users",
    "https://evil.example/v2/users",
  ])("refuses %s outside https://api.example.com/v2", (path) => {
    expect(() => targetUrl("https://api.example.com/v2", path, undefined)).toThrow(AppError);
  });
});

describe("requestPath", () => {
  it.each(["..", "a/../b", "%2e%2e/x", ".%2E/x", "./x", "a/%2F/b", "a\\b", "a\nb", "/x#frag"])(
    "refuses %j",
    (path) => {
      expect(requestPath.safeParse(path).success).toBe(false);
    },
  );

  it.each(["/users", "users/7", "/files/a.b.json", "/search?q=..", "/v1/..hidden"])("accepts %j", (path) => {
    expect(requestPath.safeParse(path).success).toBe(true);
  });
});

describe("callerHeaders", () => {
  it("lowercases the caller's headers and refuses the connection's key header in any case", () => {
    expect(callerHeaders({ "X-Trace": "1" }, "X-API-Key")).toEqual({ "x-trace": "1" });
    expect(() => callerHeaders({ "x-api-KEY": "mine" }, "X-API-Key")).toThrow("cannot be set by the caller");
    expect(() => callerHeaders({ Cookie: "a=b" }, "Authorization")).toThrow("Cookie cannot be set");
  });
});

describe("toOutput", () => {
  it("parses JSON, and passes on allowlisted headers only", () => {
    const output = toOutput(response('{"a":[1,2]}', "application/problem+json"), []);
    expect(output).toEqual({
      status: 200,
      url: "https://api.example.com/v2/x",
      headers: { "content-type": "application/problem+json" },
      bodyFormat: "json",
      body: { a: [1, 2] },
      truncated: false,
    });
  });

  it("returns declared JSON that does not parse as text", () => {
    expect(toOutput(response("{oops", "application/json"), [])).toMatchObject({
      bodyFormat: "text",
      body: "{oops",
    });
  });

  it("returns no body for binary and empty responses", () => {
    const binary = toOutput(response(Buffer.from([0x89, 0x50, 0x4e, 0x47]), "image/png"), []);
    expect(binary).toMatchObject({ bodyFormat: "binary", body: null });
    expect(toOutput(response("", null, 204), [])).toMatchObject({ bodyFormat: "empty", body: null });
  });

  it("redacts secrets from the body", () => {
    const output = toOutput(response('{"echo":"Bearer sk_live_12345"}', "application/json"), [
      "sk_live_12345",
    ]);
    expect(output.body).toEqual({ echo: "Bearer [redacted]" });
  });
});

import { describe, expect, it } from "vitest";
import { engineUrl, inngestConnection, UNSET_EVENT_KEY, type ConnectionEnv } from "./connection";

const base: ConnectionEnv = {
  NODE_ENV: "development",
  INNGEST_DEV: undefined,
  INNGEST_BASE_URL: undefined,
  INNGEST_SIGNING_KEY: undefined,
  INNGEST_EVENT_KEY: undefined,
  ENGINE_URL: undefined,
  ENGINE_HOST: "127.0.0.1",
  ENGINE_PORT: 8288,
};

describe("engineUrl", () => {
  it("prefers ENGINE_URL, without a trailing slash", () => {
    expect(engineUrl({ ...base, ENGINE_URL: "http://engine.internal:9000/" })).toBe(
      "http://engine.internal:9000",
    );
  });

  it.each([
    ["127.0.0.1", "http://127.0.0.1:8288"],
    ["0.0.0.0", "http://127.0.0.1:8288"],
    ["::", "http://[::1]:8288"],
    ["::1", "http://[::1]:8288"],
    ["engine", "http://engine:8288"],
  ])("reaches an engine listening on %s at %s", (host, url) => {
    expect(engineUrl({ ...base, ENGINE_HOST: host })).toBe(url);
  });
});

describe("inngestConnection", () => {
  it("uses Tenet's engine in dev mode outside production", () => {
    expect(inngestConnection({ ...base, ENGINE_PORT: 9100 })).toEqual({
      embeddedEngine: true,
      isDev: true,
      baseUrl: "http://127.0.0.1:9100",
      target: "http://127.0.0.1:9100",
      eventKey: undefined,
    });
  });

  it("uses Tenet's engine in cloud mode (signed) in production, with an event key the SDK accepts", () => {
    const c = inngestConnection({
      ...base,
      NODE_ENV: "production",
      INNGEST_SIGNING_KEY: "signkey-prod-abcd",
      ENGINE_URL: "http://engine:8288",
    });
    expect(c).toEqual({
      embeddedEngine: true,
      isDev: false,
      baseUrl: "http://engine:8288",
      target: "http://engine:8288",
      eventKey: UNSET_EVENT_KEY,
    });
    expect(inngestConnection({ ...base, NODE_ENV: "production", INNGEST_EVENT_KEY: "ek" }).eventKey).toBe(
      "ek",
    );
  });

  it("signs outside production too when a signing key is set, as the engine then expects", () => {
    expect(inngestConnection({ ...base, INNGEST_SIGNING_KEY: "signkey-test-abcd" })).toMatchObject({
      isDev: false,
      eventKey: UNSET_EVENT_KEY,
    });
  });

  it("leaves INNGEST_BASE_URL to the SDK's rules: cloud mode unless INNGEST_DEV says dev", () => {
    expect(inngestConnection({ ...base, INNGEST_BASE_URL: "https://inngest.example.com" })).toEqual({
      embeddedEngine: false,
      isDev: undefined,
      baseUrl: "https://inngest.example.com",
      target: "https://inngest.example.com",
      eventKey: undefined,
    });
    expect(
      inngestConnection({ ...base, INNGEST_BASE_URL: "http://127.0.0.1:8288", INNGEST_DEV: "1" }),
    ).toMatchObject({ isDev: true, baseUrl: "http://127.0.0.1:8288" });
  });

  it("reads INNGEST_DEV as the SDK does: a boolean word, or the dev server's URL", () => {
    expect(inngestConnection({ ...base, INNGEST_DEV: "true" })).toEqual({
      embeddedEngine: false,
      isDev: true,
      baseUrl: undefined,
      target: "http://localhost:8288/",
      eventKey: undefined,
    });
    expect(inngestConnection({ ...base, INNGEST_DEV: "0", INNGEST_EVENT_KEY: "ek" })).toEqual({
      embeddedEngine: false,
      isDev: false,
      baseUrl: undefined,
      target: null,
      eventKey: "ek",
    });
    expect(inngestConnection({ ...base, INNGEST_DEV: "http://127.0.0.1:9999" })).toMatchObject({
      isDev: true,
      baseUrl: "http://127.0.0.1:9999/",
    });
    expect(inngestConnection({ ...base, INNGEST_DEV: "localhost:8289" })).toMatchObject({
      isDev: true,
      baseUrl: "http://localhost:8289/",
    });
    // INNGEST_BASE_URL wins over a dev URL, as in the SDK.
    expect(
      inngestConnection({ ...base, INNGEST_DEV: "http://a.test:1", INNGEST_BASE_URL: "http://b.test:2" }),
    ).toMatchObject({ isDev: true, baseUrl: "http://b.test:2" });
  });
});

import { describe, expect, it } from "vitest";
import { parseEnv } from "./env.js";

describe("environment validation", () => {
  it("applies defaults and treats empty variables as unset", () => {
    const env = parseEnv({ NODE_ENV: "development", DATABASE_URL: "", SMTP_URL: "" });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.APP_URL).toBe("http://localhost:3000");
    expect(env.INVITE_TTL_HOURS).toBe(72);
  });

  it("requires AUTH_SECRET in production, except while Next.js builds", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(
      /AUTH_SECRET: AUTH_SECRET is required in production/,
    );
    expect(parseEnv({ NODE_ENV: "production", NEXT_PHASE: "phase-production-build" }).NODE_ENV).toBe(
      "production",
    );
  });

  it("checks fields that belong together", () => {
    expect(() => parseEnv({ OIDC_ISSUER: "https://id.example.com" })).toThrow(
      /OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together/,
    );
    expect(() => parseEnv({ SMTP_URL: "smtp://mail.example.com:587" })).toThrow(/MAIL_FROM is required/);
    expect(() => parseEnv({ AUTH_SECRET: "short" })).toThrow(/at least 32 characters/);
    expect(() => parseEnv({ DATABASE_URL: "not a url" })).toThrow(/DATABASE_URL/);
  });
});

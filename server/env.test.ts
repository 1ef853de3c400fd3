import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseEnv } from "./env.js";

const SIGNING_KEY = `signkey-prod-${"0a".repeat(32)}`;
const KEY_BYTES = Buffer.alloc(32, 7);
const CREDENTIALS_KEY = `k1:${KEY_BYTES.toString("base64")}`;

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

  it("checks AUDIT_SIGNING_KEY, and requires it in production", () => {
    const ed25519 = generateKeyPairSync("ed25519").privateKey.export({ format: "der", type: "pkcs8" });
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
      format: "der",
      type: "pkcs8",
    });
    const good = ed25519.toString("base64");
    expect(parseEnv({ AUDIT_SIGNING_KEY: good }).AUDIT_SIGNING_KEY).toBe(good);
    for (const bad of [rsa.toString("base64"), "not base64!", Buffer.from("junk").toString("base64")]) {
      expect(() => parseEnv({ AUDIT_SIGNING_KEY: bad })).toThrow(/PKCS#8 DER Ed25519 private key/);
    }
    const secret = "x".repeat(32);
    expect(() => parseEnv({ NODE_ENV: "production", AUTH_SECRET: secret })).toThrow(
      /AUDIT_SIGNING_KEY is required in production/,
    );
    expect(
      parseEnv({
        NODE_ENV: "production",
        AUTH_SECRET: secret,
        AUDIT_SIGNING_KEY: good,
        INNGEST_SIGNING_KEY: SIGNING_KEY,
        CREDENTIALS_KEYS: CREDENTIALS_KEY,
      }).NODE_ENV,
    ).toBe("production");
    expect(parseEnv({ NODE_ENV: "development" }).AUDIT_CHECKPOINT_EVERY).toBe(100);
    expect(() => parseEnv({ AUDIT_CHECKPOINT_EVERY: "0" })).toThrow(/AUDIT_CHECKPOINT_EVERY/);
  });

  it("requires a well-formed INNGEST_SIGNING_KEY in production, and refuses INNGEST_DEV there", () => {
    const production = { NODE_ENV: "production", AUTH_SECRET: "x".repeat(32) };
    expect(() => parseEnv(production)).toThrow(
      /INNGEST_SIGNING_KEY: INNGEST_SIGNING_KEY is required in production/,
    );
    expect(() => parseEnv({ INNGEST_SIGNING_KEY: "abc123" })).toThrow(/signkey-<env>-<hex>/);
    expect(() => parseEnv({ INNGEST_SIGNING_KEY: "signkey-prod-xyz" })).toThrow(/signkey-<env>-<hex>/);
    expect(parseEnv({ INNGEST_SIGNING_KEY: SIGNING_KEY }).INNGEST_SIGNING_KEY).toBe(SIGNING_KEY);
    expect(() => parseEnv({ ...production, INNGEST_SIGNING_KEY: SIGNING_KEY, INNGEST_DEV: "1" })).toThrow(
      /INNGEST_DEV must not be set in production/,
    );
    expect(parseEnv({ INNGEST_DEV: "1" }).INNGEST_DEV).toBe("1");
    expect(parseEnv({}).ENGINE_PORT).toBe(8288);
  });

  it("defaults to the local model, and requires a base URL and key for openai", () => {
    const local = parseEnv({});
    expect(local.LLM_PROVIDER).toBe("local");
    expect(local.LLM_MODEL).toBeUndefined();
    expect(() => parseEnv({ LLM_PROVIDER: "openai" })).toThrow(
      /LLM_BASE_URL: LLM_BASE_URL is required when LLM_PROVIDER is openai[^]*LLM_API_KEY: LLM_API_KEY is required when LLM_PROVIDER is openai/,
    );
    expect(() => parseEnv({ LLM_PROVIDER: "openai", LLM_API_KEY: "sk-x" })).toThrow(
      /LLM_BASE_URL is required/,
    );
    const openai = { LLM_PROVIDER: "openai", LLM_BASE_URL: "https://api.openai.com/v1", LLM_API_KEY: "sk-x" };
    expect(parseEnv(openai)).toMatchObject(openai);
    expect(parseEnv({ ...openai, LLM_MODEL: "gpt-4.1" }).LLM_MODEL).toBe("gpt-4.1");
    expect(() => parseEnv({ ...openai, LLM_BASE_URL: "ftp://llm.example.com/v1" })).toThrow(
      /LLM_BASE_URL must be an http\(s\) URL/,
    );
    expect(() => parseEnv({ LLM_PROVIDER: "anthropic" })).toThrow(/LLM_PROVIDER/);
  });

  it("refuses an LLM base URL or key while LLM_PROVIDER is local, rather than ignore them", () => {
    expect(() => parseEnv({ LLM_API_KEY: "sk-x" })).toThrow(
      /LLM_PROVIDER: LLM_BASE_URL and LLM_API_KEY are used only when LLM_PROVIDER is openai/,
    );
    expect(() => parseEnv({ LLM_PROVIDER: "local", LLM_BASE_URL: "https://api.openai.com/v1" })).toThrow(
      /used only when LLM_PROVIDER is openai/,
    );
    expect(parseEnv({ LLM_API_KEY: "", LLM_BASE_URL: "" }).LLM_PROVIDER).toBe("local");
  });

  it("parses CREDENTIALS_KEYS (first key encrypts), checks each key, and requires them in production", () => {
    const k2 = Buffer.alloc(32, 9);
    const keys = parseEnv({
      CREDENTIALS_KEYS: `k2:${k2.toString("base64url")}, ${CREDENTIALS_KEY}`,
    }).CREDENTIALS_KEYS;
    expect(keys).toEqual([
      { id: "k2", key: k2 },
      { id: "k1", key: KEY_BYTES },
    ]);
    expect(parseEnv({ CREDENTIALS_KEYS: "" }).CREDENTIALS_KEYS).toBeUndefined();
    const short = Buffer.alloc(16).toString("base64");
    expect(() => parseEnv({ CREDENTIALS_KEYS: `k1:${short}` })).toThrow(
      /CREDENTIALS_KEYS key "k1": must be the base64 of exactly 32 random bytes \(got 16\)/,
    );
    expect(() => parseEnv({ CREDENTIALS_KEYS: "k1:not base64!" })).toThrow(
      /exactly 32 random bytes \(got 0\)/,
    );
    expect(() => parseEnv({ CREDENTIALS_KEYS: KEY_BYTES.toString("base64") })).toThrow(
      /CREDENTIALS_KEYS key 1: must be <keyId>:<base64 of 32 bytes>/,
    );
    expect(() =>
      parseEnv({ CREDENTIALS_KEYS: `${CREDENTIALS_KEY},bad id:${k2.toString("base64")}` }),
    ).toThrow(/CREDENTIALS_KEYS key 2: must be <keyId>/);
    expect(() => parseEnv({ CREDENTIALS_KEYS: `${CREDENTIALS_KEY},k1:${k2.toString("base64")}` })).toThrow(
      /key id "k1" appears twice/,
    );
    // A refused key is never echoed back.
    expect(() => parseEnv({ CREDENTIALS_KEYS: `k1:${short}` })).not.toThrow(short);
    const production = {
      NODE_ENV: "production",
      AUTH_SECRET: "x".repeat(32),
      AUDIT_SIGNING_KEY: generateKeyPairSync("ed25519")
        .privateKey.export({ format: "der", type: "pkcs8" })
        .toString("base64"),
      INNGEST_SIGNING_KEY: SIGNING_KEY,
    };
    expect(() => parseEnv(production)).toThrow(
      /CREDENTIALS_KEYS: CREDENTIALS_KEYS is required in production/,
    );
    expect(
      parseEnv({ ...production, NEXT_PHASE: "phase-production-build" }).CREDENTIALS_KEYS,
    ).toBeUndefined();
  });
});

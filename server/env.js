// @ts-check
/**
 * The one place that reads the environment. Validated once, when the app, a script or next.config.js
 * first imports it; everything else imports `env` from here.
 *
 * Plain JavaScript on purpose: next.config.js imports it, so a bad configuration fails `next build` and
 * `next start` before anything runs.
 */
import { Buffer } from "node:buffer";
import { createPrivateKey } from "node:crypto";
import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const int = (/** @type {number} */ min, /** @type {number} */ max) =>
  z.coerce.number().int().min(min).max(max);
const optionalUrl = z.url().optional();
/** An Inngest signing key: `signkey-<env>-<hex>`; the SDK and the engine both use it (docs/engine-protocol.md §6). */
const signingKey = z
  .string()
  .regex(/^signkey-\w+-(?:[0-9a-f]{2})+$/, "must look like signkey-<env>-<hex>, as Inngest issues them");

/** The base64 of a PKCS#8 DER Ed25519 private key, checked by loading it. */
const ed25519PrivateKey = z.string().refine(
  (value) => {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
    try {
      const key = createPrivateKey({ key: Buffer.from(value, "base64"), format: "der", type: "pkcs8" });
      return key.asymmetricKeyType === "ed25519";
    } catch {
      return false;
    }
  },
  { message: "AUDIT_SIGNING_KEY must be the base64 of a PKCS#8 DER Ed25519 private key" },
);

/**
 * CREDENTIALS_KEYS: comma-separated `<keyId>:<base64 of 32 bytes>`, parsed into keys. The first key
 * encrypts; every key decrypts, so a key is rotated by putting a new one first and keeping the old one
 * until `npm run credentials:rotate` has re-encrypted every connection (server/connections/crypto.ts).
 */
const credentialsKeys = z.string().transform((value, ctx) => {
  /** @type {{ id: string; key: Buffer }[]} */
  const keys = [];
  const entries = value.split(",").map((entry) => entry.trim());
  for (const [index, entry] of entries.entries()) {
    const at = `key ${index + 1}`;
    const colon = entry.indexOf(":");
    const id = colon === -1 ? "" : entry.slice(0, colon);
    const encoded = colon === -1 ? "" : entry.slice(colon + 1);
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      ctx.addIssue({
        code: "custom",
        message: `CREDENTIALS_KEYS ${at}: must be <keyId>:<base64 of 32 bytes>, the id 1-32 letters, digits, _ or -`,
      });
      continue;
    }
    // Strict base64 (or base64url) so that a truncated or mangled key is refused, not decoded leniently.
    const key = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/.test(encoded)
      ? Buffer.from(encoded, encoded.includes("-") || encoded.includes("_") ? "base64url" : "base64")
      : Buffer.alloc(0);
    if (key.length !== 32) {
      // The message names the key id and the length, never the key.
      ctx.addIssue({
        code: "custom",
        message: `CREDENTIALS_KEYS key "${id}": must be the base64 of exactly 32 random bytes (got ${key.length}); make one with: openssl rand -base64 32`,
      });
      continue;
    }
    if (keys.some((k) => k.id === id)) {
      ctx.addIssue({ code: "custom", message: `CREDENTIALS_KEYS key id "${id}" appears twice` });
      continue;
    }
    keys.push({ id, key });
  }
  return keys;
});

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    /** Owner connection: migrations run as this role. Unset under `npm run dev` and tests: embedded PostgreSQL. */
    DATABASE_URL: optionalUrl,
    /** The app's own connection (role `tenet_app`). Derived from DATABASE_URL when unset. */
    DATABASE_APP_URL: optionalUrl,
    /** Password for the `tenet_app` role; migrations set it when given. */
    DATABASE_APP_PASSWORD: z.string().min(1).optional(),
    DATABASE_POOL_MAX: int(1, 200).default(10),
    /** Public base URL, used in links that leave the app (invites, emails). */
    APP_URL: z.url().default("http://localhost:3000"),
    AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
    AUTH_TRUST_HOST: bool.optional(),
    SESSION_MAX_AGE_DAYS: int(1, 365).default(30),
    /** Signs the audit log's checkpoints. Derived from AUTH_SECRET in development and tests when unset. */
    AUDIT_SIGNING_KEY: ed25519PrivateKey.optional(),
    /**
     * Encrypt connections' credentials at rest (server/connections/crypto.ts); the first key encrypts,
     * all decrypt. Derived from AUTH_SECRET in development and tests when unset.
     */
    CREDENTIALS_KEYS: credentialsKeys.optional(),
    /** A signed checkpoint is written every this many audit entries of a tenant. */
    AUDIT_CHECKPOINT_EVERY: int(1, 1_000_000).default(100),
    OIDC_ISSUER: optionalUrl,
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_DISPLAY_NAME: z.string().min(1).default("Single sign-on"),
    SMTP_URL: optionalUrl,
    MAIL_FROM: z.string().min(3).optional(),
    INVITE_TTL_HOURS: int(1, 24 * 30).default(72),
    SIGNIN_MAX_FAILURES_PER_ACCOUNT: int(1, 1000).default(5),
    SIGNIN_MAX_FAILURES_PER_IP: int(1, 100000).default(30),
    SIGNIN_LOCKOUT_MINUTES: int(1, 24 * 60).default(15),
    /** Reverse proxies in front of the app that append to X-Forwarded-For (for client IPs). */
    TRUST_PROXY_HOPS: int(0, 10).default(0),
    EMBEDDED_PG_PORT: int(1024, 65535).default(54329),
    EMBEDDED_PG_DIR: z.string().min(1).default(".data/postgres"),
    PORT: int(1, 65535).default(3000),
    /**
     * Where the workflow SDK talks to Inngest. `INNGEST_DEV` (true/false or a URL) and `INNGEST_BASE_URL`
     * mean what they mean to Inngest's SDK; when neither is set the app uses Tenet's engine at ENGINE_URL.
     */
    INNGEST_DEV: z.string().min(1).optional(),
    INNGEST_BASE_URL: optionalUrl,
    INNGEST_SIGNING_KEY: signingKey.optional(),
    INNGEST_SIGNING_KEY_FALLBACK: signingKey.optional(),
    INNGEST_EVENT_KEY: z.string().min(1).optional(),
    /** Tenet's workflow engine (server/engine): where it listens, and the app's Inngest endpoint it syncs. */
    ENGINE_HOST: z.string().min(1).default("127.0.0.1"),
    ENGINE_PORT: int(1, 65535).default(8288),
    ENGINE_URL: optionalUrl,
    ENGINE_APP_URL: optionalUrl,
    /** Calls to the app one engine process makes at once. */
    ENGINE_CONCURRENCY: int(1, 1000).default(32),
    /** Owner connection for the engine's own schema; DATABASE_URL when unset. */
    ENGINE_DATABASE_URL: optionalUrl,
    /**
     * The language model agents use: `local`, a deterministic model in the process (demos, tests), or
     * `openai`, any server speaking OpenAI's chat-completions API at LLM_BASE_URL (server/kernel/models).
     */
    LLM_PROVIDER: z.enum(["local", "openai"]).default("local"),
    /** The API's base URL, e.g. https://api.openai.com/v1. */
    LLM_BASE_URL: z.url({ protocol: /^https?$/, error: "LLM_BASE_URL must be an http(s) URL" }).optional(),
    LLM_API_KEY: z.string().min(1).optional(),
    /** The model when a call names none; the provider's own default when unset (server/kernel/models). */
    LLM_MODEL: z.string().min(1).optional(),
    /** Set by Next.js while it builds; runtime-only requirements are not checked then. */
    NEXT_PHASE: z.string().optional(),
  })
  .superRefine((e, ctx) => {
    const oidc = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: ["OIDC_ISSUER"],
        message: "OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together",
      });
    }
    if (e.SMTP_URL && !e.MAIL_FROM) {
      ctx.addIssue({
        code: "custom",
        path: ["MAIL_FROM"],
        message: "MAIL_FROM is required when SMTP_URL is set",
      });
    }
    if (e.LLM_PROVIDER === "openai" && !e.LLM_BASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["LLM_BASE_URL"],
        message: "LLM_BASE_URL is required when LLM_PROVIDER is openai (e.g. https://api.openai.com/v1)",
      });
    }
    if (e.LLM_PROVIDER === "openai" && !e.LLM_API_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["LLM_API_KEY"],
        message: "LLM_API_KEY is required when LLM_PROVIDER is openai",
      });
    }
    if (e.LLM_PROVIDER !== "openai" && (e.LLM_BASE_URL || e.LLM_API_KEY)) {
      // A key with the provider left at its default would quietly run agents on the demo model.
      ctx.addIssue({
        code: "custom",
        path: ["LLM_PROVIDER"],
        message:
          "LLM_BASE_URL and LLM_API_KEY are used only when LLM_PROVIDER is openai; set LLM_PROVIDER=openai, or unset them to use the local demo model",
      });
    }
    const building = e.NEXT_PHASE === "phase-production-build";
    if (e.NODE_ENV === "production" && !building && !e.AUTH_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["AUTH_SECRET"],
        message: "AUTH_SECRET is required in production",
      });
    }
    if (e.NODE_ENV === "production" && !building && !e.AUDIT_SIGNING_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["AUDIT_SIGNING_KEY"],
        message: "AUDIT_SIGNING_KEY is required in production (it signs the audit log's checkpoints)",
      });
    }
    if (e.NODE_ENV === "production" && !building && !e.CREDENTIALS_KEYS) {
      ctx.addIssue({
        code: "custom",
        path: ["CREDENTIALS_KEYS"],
        message:
          "CREDENTIALS_KEYS is required in production (it encrypts connections' credentials): <keyId>:<base64 of 32 bytes>, e.g. k1:$(openssl rand -base64 32)",
      });
    }
    if (e.NODE_ENV === "production" && !building && !e.INNGEST_SIGNING_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["INNGEST_SIGNING_KEY"],
        message: "INNGEST_SIGNING_KEY is required in production (workflow calls are signed with it)",
      });
    }
    if (e.NODE_ENV === "production" && e.INNGEST_DEV && !/^(0|false)$/.test(e.INNGEST_DEV)) {
      ctx.addIssue({
        code: "custom",
        path: ["INNGEST_DEV"],
        message: "INNGEST_DEV must not be set in production: the app would accept unsigned workflow calls",
      });
    }
  });

/** @param {Record<string, string | undefined>} source */
export function parseEnv(source) {
  // An empty variable means "unset" (as in .env files and CI configuration).
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "env"}: ${i.message}`);
    throw new Error(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

export const env = parseEnv(process.env);

/**
 * Imported first by the development scripts (dev, db:migrate, db:seed), before anything reads the
 * environment: fills in the secrets a fresh machine lacks, generated once and kept under .data/, so the
 * seed, the migrations and the app all see the same values. It never overrides what is set.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const DATA_DIR = path.resolve(".data");

function devSecret(name: string): string {
  const file = path.join(DATA_DIR, "secrets.json");
  const secrets = existsSync(file)
    ? z.record(z.string(), z.string()).parse(JSON.parse(readFileSync(file, "utf8")))
    : {};
  const existing = secrets[name];
  if (existing) return existing;
  const value = randomBytes(32).toString("base64url");
  mkdirSync(DATA_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify({ ...secrets, [name]: value }, null, 2), { mode: 0o600 });
  return value;
}

if (process.env.NODE_ENV !== "production") {
  process.env.AUTH_SECRET ||= devSecret("auth-secret");
  // The embedded PostgreSQL (no DATABASE_URL) uses password authentication for the app role too.
  if (!process.env.DATABASE_URL) process.env.DATABASE_APP_PASSWORD ||= devSecret("database-app-password");
}

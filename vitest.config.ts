import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "e2e/**", ".data/**"],
    globalSetup: ["server/testing/global-setup.ts"],
    // Test-only configuration; server/env.js validates it like any other.
    env: {
      NODE_ENV: "test",
      AUTH_SECRET: "test-secret-that-is-at-least-32-characters-long",
      APP_URL: "http://tenet.test",
    },
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});

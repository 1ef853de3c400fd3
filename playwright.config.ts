import { defineConfig } from "@playwright/test";

/**
 * Run through `npm run test:e2e` (scripts/e2e.ts), which prepares a database, builds and starts the app,
 * and passes its address in E2E_BASE_URL. Chromium is Debian's: Playwright's own download cannot run here.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  fullyParallel: true,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // JSON too when npm test asks for it (PLAYWRIGHT_JSON_OUTPUT_FILE), for its closing pass/fail count.
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_FILE ? [["list"], ["json"]] : [["list"]],
  use: {
    baseURL: process.env.E2E_BASE_URL ?? "http://127.0.0.1:3100",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      // As root Chromium needs --no-sandbox; the rest stop it calling Google's hosts, which this network refuses.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
});

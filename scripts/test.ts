/**
 * `npm test`: typecheck, lint, unit and integration tests (Vitest, real PostgreSQL), then the browser
 * tests (Playwright against a production build). Stops at the first failing step, and ends with one
 * "N passed, N failed" line over both test runners.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { z } from "zod";
import { run } from "./run";

const RESULTS = ".test-results";
const vitestJson = `${RESULTS}/vitest.json`;
const playwrightJson = `${RESULTS}/playwright.json`;

const steps: [string, string, string[], Record<string, string>?][] = [
  ["typecheck", "npx", ["tsc", "--noEmit"]],
  ["lint", "npx", ["eslint", "--max-warnings", "0", "."]],
  [
    "unit and integration tests",
    "npx",
    ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`],
  ],
  ["end-to-end tests", "npx", ["tsx", "scripts/e2e.ts"], { PLAYWRIGHT_JSON_OUTPUT_FILE: playwrightJson }],
];

const vitestCounts = z.object({ numPassedTests: z.number(), numFailedTests: z.number() });
const playwrightCounts = z.object({
  stats: z.object({ expected: z.number(), unexpected: z.number(), flaky: z.number() }),
});

function readJson(file: string): unknown {
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
}

function summary(): string {
  let passed = 0;
  let failed = 0;
  const v = vitestCounts.safeParse(readJson(vitestJson));
  if (v.success) {
    passed += v.data.numPassedTests;
    failed += v.data.numFailedTests;
  }
  const p = playwrightCounts.safeParse(readJson(playwrightJson));
  if (p.success) {
    passed += p.data.stats.expected + p.data.stats.flaky;
    failed += p.data.stats.unexpected;
  }
  return `tests: ${passed} passed, ${failed} failed`;
}

await rm(RESULTS, { recursive: true, force: true });
await mkdir(RESULTS, { recursive: true });
for (const [name, command, args, extraEnv] of steps) {
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const code = await run(command, args, {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...extraEnv },
  });
  if (code !== 0) {
    console.error(`\n✖ ${name} failed (exit ${code})`);
    console.log(summary());
    process.exit(code);
  }
  console.log(`✔ ${name} (${Math.round((Date.now() - started) / 1000)}s)`);
}
console.log(`\n${summary()}`);

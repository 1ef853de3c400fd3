/**
 * `npm test`: typecheck, lint, unit and integration tests (Vitest, real PostgreSQL), then the browser
 * tests (Playwright against a production build). Stops at the first failing step.
 */
import { run } from "./run";

const steps: [string, string, string[]][] = [
  ["typecheck", "npx", ["tsc", "--noEmit"]],
  ["lint", "npx", ["eslint", "--max-warnings", "0", "."]],
  ["unit and integration tests", "npx", ["vitest", "run"]],
  ["end-to-end tests", "npx", ["tsx", "scripts/e2e.ts"]],
];

for (const [name, command, args] of steps) {
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const code = await run(command, args, { env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (code !== 0) {
    console.error(`\n✖ ${name} failed (exit ${code})`);
    process.exit(code);
  }
  console.log(`✔ ${name} (${Math.round((Date.now() - started) / 1000)}s)`);
}

import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import tseslint from "typescript-eslint";

/** Connector drivers may only be reached through the kernel (server/kernel/tools). */
const noConnectorDrivers = {
  group: [
    "**/connectors/*/driver",
    "**/connectors/*/driver.*",
    "@/connectors/*/driver",
    "@/connectors/*/driver.*",
  ],
  message: "Connector drivers are called only through the kernel (kernel.call); import the manifest instead.",
};

/**
 * Decrypted connection credentials go to connector drivers through the kernel's tool manager and
 * nowhere else (never a page, an API response, a log, an audit entry or a model's prompt): only
 * server/kernel/tools and server/connections itself may import credentialsFor.
 */
const noCredentialsFor = {
  group: [
    "**/connections/credentials-for",
    "**/connections/credentials-for.*",
    "@/server/connections/credentials-for",
    "@/server/connections/credentials-for.*",
  ],
  message:
    "credentialsFor is for the kernel's tool manager (server/kernel/tools) only; show a connection's credentialsHint instead.",
};

export default tseslint.config(
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      ".data/**",
      "server/db/generated/**",
      "next-env.d.ts",
      "test-results/**",
      "playwright-report/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@next/next": nextPlugin },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs["core-web-vitals"].rules,
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/ban-ts-comment": ["error", { "ts-expect-error": true, "ts-ignore": true }],
      "@typescript-eslint/consistent-type-assertions": [
        "error",
        { assertionStyle: "as", objectLiteralTypeAssertions: "never" },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/only-throw-error": "off",
      "no-restricted-imports": ["error", { patterns: [noConnectorDrivers, noCredentialsFor] }],
      // Configuration is read in one place: server/env.js.
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Import `env` from server/env.js instead." },
      ],
    },
  },
  {
    // The kernel is the bottom layer: it never reaches up into the app or out to connector drivers.
    files: ["server/kernel/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            noConnectorDrivers,
            noCredentialsFor,
            { group: ["@/app/*", "**/app/*"], message: "server/kernel must not import from app/." },
          ],
        },
      ],
    },
  },
  {
    // The kernel's tool manager is the one place allowed to load connector drivers and hand them
    // decrypted credentials (still not app/).
    files: ["server/kernel/tools/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [{ group: ["@/app/*", "**/app/*"], message: "server/kernel must not import from app/." }],
        },
      ],
    },
  },
  {
    // The connections module decrypts credentials itself (key rotation) and may use its own helper.
    files: ["server/connections/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [noConnectorDrivers] }] },
  },
  {
    // The workflow engine is a separate server that speaks Inngest's protocol to any app: it knows
    // nothing of Tenet's app, workflows, kernel or connectors (its tests reach for test fixtures only).
    files: ["server/engine/**"],
    ignores: ["server/engine/**/*.test.ts", "server/engine/testing.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            noConnectorDrivers,
            noCredentialsFor,
            {
              group: [
                "@/app/*",
                "@/server/workflows/*",
                "@/server/kernel/*",
                "@/connectors/*",
                "@/server/trpc/*",
              ],
              message:
                "server/engine is a separate server; it must not import the app, its workflows, kernel or connectors.",
            },
          ],
        },
      ],
    },
  },
  {
    // The env module itself, CLI config, and scripts that hand the environment to child processes.
    files: [
      "server/env.js",
      "prisma.config.ts",
      "scripts/**",
      "**/*.test.ts",
      "vitest.config.ts",
      "playwright.config.ts",
      "e2e/**",
    ],
    rules: { "no-restricted-properties": "off" },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: "readonly" } },
  },
);

import { readdirSync } from "node:fs";
import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import tseslint from "typescript-eslint";

const DRIVER_MESSAGE =
  "Connector drivers are called only through the kernel (kernel.call); import the manifest instead.";

/**
 * Connector drivers are reached only through the kernel: connectors/index.ts pairs each with its
 * manifest for the platform's kernel, and a connector's own tests may import its driver. Nothing else
 * imports one, by alias or by relative path.
 */
const DRIVER_PATTERNS = [
  "**/connectors/*/driver",
  "**/connectors/*/driver.*",
  "@/connectors/*/driver",
  "@/connectors/*/driver.*",
];
const noConnectorDrivers = { group: DRIVER_PATTERNS, message: DRIVER_MESSAGE };

/** Inside connectors/<id>/: a sibling connector's driver, by relative path. */
const noSiblingDrivers = { group: ["../*/driver", "../*/driver.*"], message: DRIVER_MESSAGE };

/** Inside connectors/<id>/, outside tests: the folder's own driver is for the kernel and tests. */
const noOwnDriver = ["./driver", "./driver.ts", "./driver.js"].map((name) => ({
  name,
  message: DRIVER_MESSAGE,
}));

/** The connector folders, each of whose tests may import that folder's driver (and no other). */
const CONNECTOR_FOLDERS = readdirSync(new URL("./connectors", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** The kernel knows no connector: the platform (server/platform) hands it the registry. */
const noConnectors = {
  group: ["@/connectors", "@/connectors/*", "**/connectors", "**/connectors/*"],
  message:
    "server/kernel imports nothing from connectors/: the platform (server/platform/kernel.ts) gives the kernel its tool registry.",
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
    // The kernel is the bottom layer: it never reaches up into the app or out to connectors.
    files: ["server/kernel/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            noConnectors,
            noCredentialsFor,
            { group: ["@/app/*", "**/app/*"], message: "server/kernel must not import from app/." },
          ],
        },
      ],
    },
  },
  {
    // The kernel's tool manager is the one place allowed to hand drivers decrypted credentials (it
    // still knows no connector, and not app/).
    files: ["server/kernel/tools/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            noConnectors,
            { group: ["@/app/*", "**/app/*"], message: "server/kernel must not import from app/." },
          ],
        },
      ],
    },
  },
  {
    // Inside the connectors: no sibling's driver, and the folder's own driver only from its tests.
    files: ["connectors/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: noOwnDriver, patterns: [noConnectorDrivers, noSiblingDrivers, noCredentialsFor] },
      ],
    },
  },
  ...CONNECTOR_FOLDERS.map(
    (folder) =>
      /** @type {import("eslint").Linter.Config} */ ({
        files: [`connectors/${folder}/**/*.test.ts`],
        rules: {
          "no-restricted-imports": [
            "error",
            {
              patterns: [
                {
                  group: [
                    ...DRIVER_PATTERNS,
                    `!@/connectors/${folder}/driver`,
                    `!@/connectors/${folder}/driver.*`,
                  ],
                  message: DRIVER_MESSAGE,
                },
                noSiblingDrivers,
                noCredentialsFor,
              ],
            },
          ],
        },
      }),
  ),
  {
    // The registry of installed connectors is the one module that pairs manifests with drivers.
    files: ["connectors/index.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [noCredentialsFor] }] },
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

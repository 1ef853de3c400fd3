/**
 * Decrypted credentials reach only the kernel's tool manager: eslint.config.mjs refuses an import of
 * credentials-for anywhere but server/kernel/tools and server/connections. Sources are linted as if
 * they were existing files (type-aware linting needs a path the TypeScript project knows), so this
 * fails if the rule is loosened.
 */
import { describe, expect, it } from "vitest";
import { importErrors } from "@/server/testing/lint";

const aliased = `import { credentialsFor } from "@/server/connections/credentials-for";\nexport const c = credentialsFor;\n`;
const relative = `import { credentialsFor } from "../connections/credentials-for.ts";\nexport const c = credentialsFor;\n`;

describe("who may decrypt credentials", () => {
  it.each([
    "server/trpc/root.ts",
    "server/tenancy/tenants.ts",
    "app/t/[slug]/page.tsx",
    "server/kernel/kernel.ts",
    "server/kernel/access/policies.ts",
    "server/engine/call.ts",
    "scripts/seed.ts",
  ])("refuses credentialsFor in %s", async (filePath) => {
    expect(await importErrors(filePath, aliased)).toEqual([
      expect.stringContaining("credentialsFor is for the kernel's tool manager") as string,
    ]);
    expect(await importErrors(filePath, relative)).toHaveLength(1);
  });

  it("lets the tool manager and the connections module import it, and anyone import connections.ts", async () => {
    expect(await importErrors("server/kernel/tools/registry.ts", aliased)).toEqual([]);
    expect(await importErrors("server/connections/connections.ts", aliased)).toEqual([]);
    const domain = `import { listConnections } from "@/server/connections/connections";\nexport const l = listConnections;\n`;
    expect(await importErrors("server/trpc/root.ts", domain)).toEqual([]);
  });
});

/**
 * The kernel is the only path to a connector: the lint rules in eslint.config.mjs refuse a driver
 * import anywhere but server/kernel/tools, and anything in the kernel importing from app/. This test
 * lints small sources as if they were the contents of existing files (type-aware linting needs a
 * path the TypeScript project knows), so it fails if the rules are loosened.
 */
import { describe, expect, it } from "vitest";
import { importErrors } from "@/server/testing/lint";

const driverImport = `import { driver } from "@/connectors/hris/driver";\nexport const d = driver;\n`;
const relativeDriverImport = `import * as scim from "../../connectors/scim/driver.ts";\nexport const s = scim;\n`;
const manifestImport = `import { manifest } from "@/connectors/hris/manifest";\nexport const m = manifest;\n`;

describe("layering", () => {
  it.each([
    "server/tenancy/tenants.ts",
    "server/trpc/root.ts",
    "app/t/[slug]/page.tsx",
    "server/kernel/access/policies.ts",
    "server/kernel/kernel.ts",
    "scripts/seed.ts",
  ])("refuses a connector driver import in %s", async (filePath) => {
    expect(await importErrors(filePath, driverImport)).toEqual([
      expect.stringContaining("Connector drivers are called only through the kernel") as string,
    ]);
    expect(await importErrors(filePath, relativeDriverImport)).toHaveLength(1);
  });

  it("lets the tool manager import drivers, and anyone import a manifest", async () => {
    expect(await importErrors("server/kernel/tools/registry.ts", driverImport)).toEqual([]);
    expect(await importErrors("server/tenancy/tenants.ts", manifestImport)).toEqual([]);
  });

  it("keeps the kernel, tool manager included, from importing app/", async () => {
    const appImport = `import { trpc } from "@/app/_lib/trpc";\nexport const t = trpc;\n`;
    for (const filePath of ["server/kernel/kernel.ts", "server/kernel/tools/registry.ts"])
      expect(await importErrors(filePath, appImport)).toEqual([
        expect.stringContaining("server/kernel must not import from app/") as string,
      ]);
  });
});

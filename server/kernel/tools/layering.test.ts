/**
 * The kernel is the only path to a connector, and knows none itself: the lint rules in
 * eslint.config.mjs refuse a driver import anywhere but connectors/index.ts (which pairs drivers with
 * their manifests for the platform's kernel) and the connector's own tests, any import of connectors/
 * in server/kernel, and anything in the kernel importing from app/. This test lints small sources as
 * if they were the contents of existing files (type-aware linting needs a path the TypeScript project
 * knows), so it fails if the rules are loosened.
 */
import { describe, expect, it } from "vitest";
import { importErrors } from "@/server/testing/lint";

const source = (from: string) => `import * as imported from "${from}";\nexport const i = imported;\n`;
const driverImport = source("@/connectors/hris/driver");
const relativeDriverImport = source("../../connectors/scim/driver.ts");
const manifestImport = source("@/connectors/hris/manifest");

const DRIVER = "Connector drivers are called only through the kernel";
const NO_CONNECTORS = "server/kernel imports nothing from connectors/";

describe("layering", () => {
  it.each([
    "server/tenancy/tenants.ts",
    "server/trpc/root.ts",
    "app/t/[slug]/page.tsx",
    "server/platform/kernel.ts",
    "scripts/seed.ts",
  ])("refuses a connector driver import in %s", async (filePath) => {
    expect(await importErrors(filePath, driverImport)).toEqual([expect.stringContaining(DRIVER) as string]);
    expect(await importErrors(filePath, relativeDriverImport)).toHaveLength(1);
  });

  it.each(["server/kernel/kernel.ts", "server/kernel/access/policies.ts", "server/kernel/tools/registry.ts"])(
    "refuses any import of connectors/ in %s, drivers, manifests, the SDK and the registry alike",
    async (filePath) => {
      for (const from of [
        "@/connectors/hris/driver",
        "@/connectors/hris/manifest",
        "@/connectors/sdk",
        "@/connectors",
        "@/connectors/catalog",
        "../../connectors/index.ts",
      ])
        expect(await importErrors(filePath, source(from)), from).toEqual([
          expect.stringContaining(NO_CONNECTORS) as string,
        ]);
    },
  );

  it("lets the connector registry import drivers, and anyone outside the kernel import a manifest", async () => {
    expect(await importErrors("connectors/index.ts", driverImport)).toEqual([]);
    expect(await importErrors("connectors/index.ts", source("./hris/driver"))).toEqual([]);
    expect(await importErrors("server/tenancy/tenants.ts", manifestImport)).toEqual([]);
    expect(await importErrors("server/platform/kernel.ts", source("@/connectors"))).toEqual([]);
  });

  it("lets a connector's tests import its own driver, and nobody else in connectors/", async () => {
    for (const from of ["./driver", "./driver.ts", "@/connectors/http/driver"])
      expect(await importErrors("connectors/http/fetch.test.ts", source(from)), from).toEqual([]);
    for (const from of ["@/connectors/hris/driver", "../scim/driver"])
      expect(await importErrors("connectors/http/fetch.test.ts", source(from)), from).toEqual([
        expect.stringContaining(DRIVER) as string,
      ]);
    for (const from of ["./driver", "../scim/driver", "@/connectors/scim/driver"])
      expect(await importErrors("connectors/http/fetch.ts", source(from)), from).toEqual([
        expect.stringContaining(DRIVER) as string,
      ]);
  });

  it("keeps the kernel, tool manager included, from importing app/", async () => {
    const appImport = source("@/app/_lib/trpc");
    for (const filePath of ["server/kernel/kernel.ts", "server/kernel/tools/registry.ts"])
      expect(await importErrors(filePath, appImport)).toEqual([
        expect.stringContaining("server/kernel must not import from app/") as string,
      ]);
  });
});

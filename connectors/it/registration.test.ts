import { describe, expect, it } from "vitest";
import { buildToolRegistry, connector } from "../index";
import { itDriver } from "./driver";
import { itManifest } from "./manifest";

describe("it connector registration", () => {
  it("passes the registry's checks: kernel effects, dry runs, reversals within the connector", () => {
    const registry = buildToolRegistry({ it: connector(itManifest, itDriver) }, { it: itManifest });
    expect(registry.actions().sort()).toEqual(["it.access.request", "it.device.assign", "it.device.return"]);
    for (const action of registry.actions()) {
      expect(registry.find(action)).toMatchObject({ connector: "it", effect: "write" });
      expect(registry.find(action)?.dryRun).toBeTypeOf("function");
    }
  });
});

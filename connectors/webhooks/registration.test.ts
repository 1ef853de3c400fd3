import { describe, expect, it } from "vitest";
import { buildToolRegistry, connector } from "../index";
import { webhooksDriver } from "./driver";
import { webhooksManifest } from "./manifest";

describe("webhooks connector registration", () => {
  it("passes the registry's checks and provides webhook.send as a write with a dry run", () => {
    const registry = buildToolRegistry(
      { webhooks: connector(webhooksManifest, webhooksDriver) },
      { webhooks: webhooksManifest },
    );
    expect(registry.actions()).toEqual(["webhook.send"]);
    expect(registry.find("webhook.send")).toMatchObject({ connector: "webhooks", effect: "write" });
    expect(registry.find("webhook.send")?.dryRun).toBeTypeOf("function");
  });
});

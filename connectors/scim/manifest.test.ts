import { describe, expect, it } from "vitest";
import { ACTION_INFO } from "@/server/kernel/access/schema";
import { buildToolRegistry, connector } from "@/connectors/index";
import { scimDriver } from "./driver";
import { scimConfig, scimCredentials, scimManifest } from "./manifest";

describe("scim manifest", () => {
  it("declares each action's effect as the action catalog does", () => {
    for (const [name, spec] of Object.entries(scimManifest.actions)) {
      expect(spec.action).toBe(name);
      expect(spec.effect).toBe(ACTION_INFO[spec.action].effect);
    }
  });

  it("passes the registry's checks as connectors/index.ts will register it", () => {
    const registry = buildToolRegistry({ scim: connector(scimManifest, scimDriver) }, { scim: scimManifest });
    expect(registry.find("it.access.grant")?.connector).toBe("scim");
    expect(registry.actions().sort()).toEqual(["it.access.grant", "it.access.revoke", "it.account.read"]);
  });

  it("takes an https base URL, or plain http only for an allowlisted host", () => {
    expect(scimConfig.parse({ baseUrl: "https://api.figma.com/scim/v2/123" })).toEqual({
      baseUrl: "https://api.figma.com/scim/v2/123",
      allowHosts: [],
    });
    expect(scimConfig.safeParse({ baseUrl: "http://scim.corp.internal/v2" }).success).toBe(false);
    expect(
      scimConfig.safeParse({
        baseUrl: "http://scim.corp.internal:8080/v2",
        allowHosts: ["scim.corp.internal:8080"],
      }).success,
    ).toBe(true);
    expect(scimConfig.safeParse({ baseUrl: "ftp://example.com" }).success).toBe(false);
    expect(scimCredentials.safeParse({ token: " " }).success).toBe(false);
  });

  it("describes calls from their input, and leases the account by userName", () => {
    const grant = scimManifest.actions["it.access.grant"];
    const revoke = scimManifest.actions["it.access.revoke"];
    expect(grant.describe({ userName: "bob@acme.com", app: "Figma" })).toBe(
      "Create account for bob@acme.com in Figma",
    );
    expect(revoke.describe({ userName: "bob@acme.com", group: "Editors", app: "Figma" })).toBe(
      "Remove bob@acme.com from group Editors in Figma",
    );
    expect(revoke.describe({ userName: "bob@acme.com" })).toBe(
      "Deactivate the account of bob@acme.com in the app",
    );
    expect(grant.resources?.({ userName: "Bob@Acme.com" })).toEqual([{ key: "scim-user:bob@acme.com" }]);
    const reverse = revoke.reversible === false ? null : revoke.reversible;
    expect(
      reverse?.input(
        { userName: "bob@acme.com", group: "Editors" },
        { scimUserId: "u1", deactivated: false, removedFromGroup: true, givenName: "Bob", familyName: null },
      ),
    ).toEqual({ userName: "bob@acme.com", givenName: "Bob", group: "Editors" });
  });
});

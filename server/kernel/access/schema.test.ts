import { describe, expect, it } from "vitest";
import { ROLES } from "@/server/tenancy/roles";
import { schemaErrors } from "./cedar";
import { ACTIONS, SCHEMA_TEXT, TENANT_SCOPED_TYPES } from "./schema";

describe("Cedar schema", () => {
  it("parses", () => {
    expect(schemaErrors()).toEqual([]);
  });

  it("declares every action for users and agents, on the resource type it applies to", () => {
    for (const [action, resource] of Object.entries(ACTIONS))
      expect(SCHEMA_TEXT).toContain(
        `action "${action}" appliesTo { principal: [User, Agent], resource: ${resource}, context: RequestContext }`,
      );
  });

  it("has exactly the tenancy roles, so a misspelt role in a policy is a validation error", () => {
    expect(SCHEMA_TEXT).toContain(`entity Role enum [${ROLES.map((r) => `"${r}"`).join(", ")}]`);
  });

  it("scopes every entity but roles and skills to a tenant", () => {
    const declared = [...SCHEMA_TEXT.matchAll(/entity (\w+)/g)].map((m) => m[1]);
    expect(declared.filter((t) => t && !TENANT_SCOPED_TYPES.includes(t)).sort()).toEqual(["Role", "Skill"]);
  });
});

import { describe, expect, it } from "vitest";
import type { ScimError } from "./errors";
import { applyPatch, type PatchOperationLike, type PatchResult } from "./patch";
import { patchOpSchema, schemaUrns } from "./schema";

const enterprise = schemaUrns.enterpriseUser;

const user = () => ({
  schemas: [schemaUrns.user],
  id: "u1",
  userName: "bjensen@example.com",
  name: { givenName: "Barbara", familyName: "Jensen" },
  active: true,
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" },
  ],
  groups: [{ value: "g1", display: "Tour Guides" }],
  meta: { resourceType: "User", version: 'W/"1"' },
});

const group = () => ({
  schemas: [schemaUrns.group],
  id: "g1",
  displayName: "Tour Guides",
  members: [
    { value: "u1", display: "Babs Jensen" },
    { value: "u2", display: "Mandy Pepperidge" },
  ],
});

function patched(
  resource: Record<string, unknown>,
  ...operations: PatchOperationLike[]
): Record<string, unknown> {
  const result = applyPatch(resource, operations);
  if (!result.ok) throw result.error;
  return result.resource;
}

function failure(result: PatchResult): ScimError {
  if (result.ok) throw new Error("expected the patch to fail");
  return result.error;
}

describe("add (RFC 7644 §3.5.2.1)", () => {
  it("appends to a multi-valued attribute and does not repeat an existing value", () => {
    const result = patched(group(), {
      op: "add",
      path: "members",
      value: [{ value: "u2", display: "Mandy Pepperidge" }, { value: "u3" }],
    });
    expect(result.members).toEqual([
      { value: "u1", display: "Babs Jensen" },
      { value: "u2", display: "Mandy Pepperidge" },
      { value: "u3" },
    ]);
  });

  it("without a path adds each attribute of the value, merging complex ones", () => {
    const result = patched(user(), {
      op: "add",
      value: {
        emails: [{ value: "babs@example.org", type: "other" }],
        nickName: "Babs",
        name: { middleName: "J" },
      },
    });
    expect(result.emails).toHaveLength(3);
    expect(result.nickName).toBe("Babs");
    expect(result.name).toEqual({ givenName: "Barbara", familyName: "Jensen", middleName: "J" });
  });

  it("sets a single-valued attribute, creating it or replacing it", () => {
    expect(patched(user(), { op: "add", path: "title", value: "Guide" }).title).toBe("Guide");
    expect(patched(user(), { op: "add", path: "name.givenName", value: "Babs" }).name).toMatchObject({
      givenName: "Babs",
    });
  });

  it("keeps only one primary value (RFC 7643 §2.4)", () => {
    const result = patched(user(), {
      op: "add",
      path: "emails",
      value: [{ value: "new@example.com", primary: true }],
    });
    expect(result.emails).toEqual([
      { value: "bjensen@example.com", type: "work", primary: false },
      { value: "babs@jensen.org", type: "home" },
      { value: "new@example.com", primary: true },
    ]);
  });

  it("adds extension attributes by URN-prefixed path and lists the extension in schemas", () => {
    const result = patched(user(), { op: "add", path: `${enterprise}:employeeNumber`, value: "701984" });
    expect(result[enterprise]).toEqual({ employeeNumber: "701984" });
    expect(result.schemas).toEqual([schemaUrns.user, enterprise]);
  });

  it("Entra: adds a work email through an unmatched eq filter by creating the element", () => {
    const result = patched(
      { schemas: [schemaUrns.user], userName: "ann" },
      { op: "Add", path: 'emails[type eq "work"].value', value: "ann@acme.com" },
    );
    expect(result.emails).toEqual([{ type: "work", value: "ann@acme.com" }]);
  });

  it("Entra: adds several members in one operation", () => {
    const result = patched(group(), {
      op: "Add",
      path: "members",
      value: [{ value: "u3" }, { value: "u4" }],
    });
    expect(result.members).toHaveLength(4);
  });
});

describe("replace (RFC 7644 §3.5.2.3)", () => {
  it("Okta: replaces active", () => {
    const body = patchOpSchema.parse({
      schemas: [schemaUrns.patchOp],
      Operations: [{ op: "replace", value: { active: false } }],
    });
    expect(applyPatch(user(), body.Operations)).toMatchObject({ ok: true, resource: { active: false } });
    expect(patched(user(), { op: "replace", path: "active", value: false }).active).toBe(false);
  });

  it("Entra: 'Replace' with no path, a value object of dotted paths and booleans as strings", () => {
    const result = patched(user(), {
      op: "Replace",
      value: {
        active: "False",
        "name.givenName": "Babs",
        [`${enterprise}:department`]: "Tours",
        displayName: "Babs J",
      },
    });
    expect(result).toMatchObject({
      active: false,
      name: { givenName: "Babs", familyName: "Jensen" },
      displayName: "Babs J",
      [enterprise]: { department: "Tours" },
    });
  });

  it("Entra: replaces through an extension object value and a manager reference", () => {
    const result = patched(user(), {
      op: "replace",
      value: { [enterprise]: { employeeNumber: "7", manager: { value: "u9" } } },
    });
    expect(result[enterprise]).toEqual({ employeeNumber: "7", manager: { value: "u9" } });
  });

  it("replaces all values of a multi-valued attribute without a filter", () => {
    const result = patched(group(), { op: "replace", path: "members", value: [{ value: "u9" }] });
    expect(result.members).toEqual([{ value: "u9" }]);
  });

  it("replaces the sub-attribute of matched values", () => {
    const result = patched(user(), {
      op: "replace",
      path: 'emails[type eq "work"].value',
      value: "b@acme.com",
    });
    expect(result.emails).toEqual([
      { value: "b@acme.com", type: "work", primary: true },
      { value: "babs@jensen.org", type: "home" },
    ]);
  });

  it("replaces the whole matched value when there is no sub-attribute", () => {
    const result = patched(user(), {
      op: "replace",
      path: 'emails[type eq "home"]',
      value: { value: "h@x.org", type: "home" },
    });
    expect(result.emails).toContainEqual({ value: "h@x.org", type: "home" });
    expect(result.emails).toHaveLength(2);
  });

  it("merges sub-attributes into a complex attribute, keeping those not given", () => {
    expect(patched(user(), { op: "replace", path: "name", value: { givenName: "B" } }).name).toEqual({
      givenName: "B",
      familyName: "Jensen",
    });
  });

  it("fails with noTarget when a value filter matches nothing", () => {
    const error = failure(
      applyPatch(user(), [{ op: "replace", path: 'emails[type eq "other"].value', value: "x" }]),
    );
    expect(error).toMatchObject({ status: 400, scimType: "noTarget" });
  });

  it("treats attribute names and op names case-insensitively", () => {
    const result = patched(
      user(),
      { op: "REPLACE", path: "USERNAME", value: "babs" },
      { op: "Replace", path: "Name.GivenName", value: "B" },
    );
    expect(result).toMatchObject({ userName: "babs", name: { givenName: "B" } });
    expect(Object.keys(result)).not.toContain("USERNAME");
  });
});

describe("remove (RFC 7644 §3.5.2.2)", () => {
  it("removes one member by value filter", () => {
    expect(patched(group(), { op: "remove", path: 'members[value eq "u2"]' }).members).toEqual([
      { value: "u1", display: "Babs Jensen" },
    ]);
  });

  it("unassigns the attribute when no values remain", () => {
    const result = patched(group(), { op: "remove", path: 'members[value eq "u1" or value eq "u2"]' });
    expect(result).not.toHaveProperty("members");
  });

  it("removes all values of an attribute", () => {
    expect(patched(group(), { op: "remove", path: "members" })).not.toHaveProperty("members");
  });

  it("Entra: removes the members listed in the value", () => {
    const result = patched(group(), { op: "Remove", path: "members", value: [{ value: "u1" }] });
    expect(result.members).toEqual([{ value: "u2", display: "Mandy Pepperidge" }]);
  });

  it("removes a sub-attribute of matched values and a single attribute", () => {
    const result = patched(
      user(),
      { op: "remove", path: 'emails[type eq "work"].primary' },
      { op: "remove", path: "name.familyName" },
    );
    expect(result.emails).toContainEqual({ value: "bjensen@example.com", type: "work" });
    expect(result.name).toEqual({ givenName: "Barbara" });
  });

  it("removes an extension attribute and a whole extension", () => {
    const withExtension = patched(user(), { op: "add", path: `${enterprise}:department`, value: "Tours" });
    expect(patched(withExtension, { op: "remove", path: `${enterprise}:department` })[enterprise]).toEqual(
      {},
    );
    const removed = patched(withExtension, { op: "remove", path: enterprise });
    expect(removed).not.toHaveProperty(enterprise);
    expect(removed.schemas).toEqual([schemaUrns.user]);
  });

  it("fails with noTarget without a path", () => {
    expect(failure(applyPatch(group(), [{ op: "remove" }]))).toMatchObject({ scimType: "noTarget" });
  });
});

describe("errors", () => {
  it.each([
    [{ op: "replace", path: "id", value: "x" }, "mutability"],
    [{ op: "remove", path: "meta" }, "mutability"],
    [{ op: "add", path: "meta.version", value: "x" }, "mutability"],
    [{ op: "add", path: "groups", value: [{ value: "g2" }] }, "mutability"],
    [{ op: "replace", value: { id: "other" } }, "mutability"],
    [{ op: "add", path: 'emails[type eq "work"', value: "x" }, "invalidPath"],
    [{ op: "add", path: 'name[givenName eq "x"]', value: "x" }, "noTarget"],
    [{ op: "move", path: "title", value: "x" }, "invalidValue"],
    [{ op: "add", value: "not an object" }, "invalidValue"],
    [{ op: "add", path: "title" }, "invalidValue"],
  ])("%j fails with %s and leaves the resource unchanged", (operation, scimType) => {
    const original = user();
    const result = applyPatch(original, [{ op: "replace", path: "title", value: "changed" }, operation]);
    expect(failure(result)).toMatchObject({ status: 400, scimType });
    expect(original).toEqual(user());
  });

  it("accepts read-only attributes sent back unchanged (a full representation as the value)", () => {
    const { id, meta } = user();
    expect(patched(user(), { op: "replace", value: { id, meta, displayName: "B" } }).displayName).toBe("B");
  });
});

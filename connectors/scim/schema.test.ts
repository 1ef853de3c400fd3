import { describe, expect, it } from "vitest";
import {
  errorResponse,
  errorResponseSchema,
  groupSchema,
  listResponseSchema,
  patchOpSchema,
  schemaUrns,
  userSchema,
} from "./schema";

describe("userSchema", () => {
  it("accepts RFC 7643 §8.2's enterprise user and keeps attributes it does not name", () => {
    const parsed = userSchema.parse({
      schemas: [schemaUrns.user, schemaUrns.enterpriseUser],
      id: "2819c223",
      externalId: "701984",
      userName: "bjensen@example.com",
      name: { formatted: "Ms. Barbara J Jensen, III", familyName: "Jensen", givenName: "Barbara" },
      displayName: "Babs Jensen",
      emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
      phoneNumbers: [{ value: "555-555-5555", type: "work" }],
      active: true,
      groups: [{ value: "e9e30dba", display: "Tour Guides", type: "direct" }],
      [schemaUrns.enterpriseUser]: {
        employeeNumber: "701984",
        department: "Tour Operations",
        manager: { value: "26118915", displayName: "John Smith" },
      },
      meta: { resourceType: "User", created: "2010-01-23T04:56:22Z", version: 'W/"3694e05e9dff591"' },
    });
    expect(parsed.phoneNumbers).toEqual([{ value: "555-555-5555", type: "work" }]);
    expect(parsed[schemaUrns.enterpriseUser]?.manager?.value).toBe("26118915");
  });

  it.each([
    [{ schemas: [schemaUrns.user] }, "userName"],
    [{ schemas: [], userName: "a" }, "schemas"],
    [{ schemas: [schemaUrns.user], userName: "a", active: "yes" }, "active"],
    [{ schemas: [schemaUrns.user], userName: "a", emails: [{ type: "work" }] }, "emails"],
  ])("refuses %j (%s)", (input, field) => {
    const result = userSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe(field);
  });
});

describe("groupSchema", () => {
  it("needs a displayName and members with values", () => {
    expect(
      groupSchema.safeParse({ schemas: [schemaUrns.group], displayName: "G", members: [{ value: "u1" }] })
        .success,
    ).toBe(true);
    expect(groupSchema.safeParse({ schemas: [schemaUrns.group], members: [] }).success).toBe(false);
    expect(
      groupSchema.safeParse({ schemas: [schemaUrns.group], displayName: "G", members: [{}] }).success,
    ).toBe(false);
  });
});

describe("listResponseSchema", () => {
  it("reads Resources, which may be omitted when there are none (RFC 7644 §3.4.2)", () => {
    const schema = listResponseSchema(userSchema);
    expect(schema.parse({ schemas: [schemaUrns.listResponse], totalResults: 0 }).Resources).toEqual([]);
    const page = schema.parse({
      schemas: [schemaUrns.listResponse],
      totalResults: 2,
      startIndex: 1,
      itemsPerPage: 1,
      Resources: [{ schemas: [schemaUrns.user], userName: "a" }],
    });
    expect(page.Resources[0]?.userName).toBe("a");
  });
});

describe("patchOpSchema", () => {
  it("normalizes op names (Entra sends 'Replace') and refuses unknown ones", () => {
    const parsed = patchOpSchema.parse({
      schemas: [schemaUrns.patchOp],
      Operations: [{ op: "Replace", value: { active: false } }],
    });
    expect(parsed.Operations[0]?.op).toBe("replace");
    expect(
      patchOpSchema.safeParse({ schemas: [schemaUrns.patchOp], Operations: [{ op: "move" }] }).success,
    ).toBe(false);
    expect(patchOpSchema.safeParse({ schemas: [schemaUrns.user], Operations: [{ op: "add" }] }).success).toBe(
      false,
    );
    expect(patchOpSchema.safeParse({ schemas: [schemaUrns.patchOp], Operations: [] }).success).toBe(false);
  });
});

describe("errorResponseSchema", () => {
  it("writes status as a string (RFC 7644 §3.12) and reads it as a string or a number", () => {
    const body = errorResponse(409, "uniqueness", "userName is taken");
    expect(body).toEqual({
      schemas: [schemaUrns.error],
      status: "409",
      scimType: "uniqueness",
      detail: "userName is taken",
    });
    expect(errorResponseSchema.parse(body)).toMatchObject({ status: 409, scimType: "uniqueness" });
    expect(errorResponseSchema.parse({ status: 404, scimType: "made-up" })).toMatchObject({
      status: 404,
      scimType: null,
    });
  });
});

import { describe, expect, it } from "vitest";
import { ScimError } from "./errors";
import { evaluateFilter } from "./evaluate";
import { parseFilter, parsePatchPath, type FilterNode } from "./filter";

const user = {
  schemas: [
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  ],
  id: "2819c223-7f76-453a-919d-413861904646",
  externalId: "bjensen",
  userName: "bjensen@example.com",
  name: { familyName: "Jensen", givenName: "Barbara" },
  title: "Tour Guide",
  userType: "Employee",
  active: true,
  loginCount: 42,
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" },
  ],
  ims: [{ value: "someaimhandle", type: "aim" }],
  meta: { lastModified: "2011-05-13T04:42:34Z", resourceType: "User" },
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
    employeeNumber: "701984",
    department: "Tour Operations",
    manager: { value: "26118915-6090-4610-87e4-49d8ca9f808d" },
  },
};

const matches = (filter: string, resource: Record<string, unknown> = user) =>
  evaluateFilter(parseFilter(filter), resource);

function filterError(filter: string): ScimError {
  try {
    parseFilter(filter);
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error(`expected ${filter} to be refused`);
}

describe("parseFilter", () => {
  it("parses an attribute expression", () => {
    expect(parseFilter('userName eq "bjensen"')).toEqual({
      kind: "compare",
      path: { schema: null, attribute: "userName", subAttribute: null },
      op: "eq",
      value: "bjensen",
    });
  });

  it("binds and tighter than or, and not tighter than and", () => {
    const compare = (attribute: string): FilterNode => ({
      kind: "compare",
      path: { schema: null, attribute, subAttribute: null },
      op: "eq",
      value: 1,
    });
    expect(parseFilter("a eq 1 or b eq 1 and c eq 1")).toEqual({
      kind: "or",
      left: compare("a"),
      right: { kind: "and", left: compare("b"), right: compare("c") },
    });
    expect(parseFilter("(a eq 1 or b eq 1) and not (c eq 1)")).toEqual({
      kind: "and",
      left: { kind: "or", left: compare("a"), right: compare("b") },
      right: { kind: "not", filter: compare("c") },
    });
  });

  it("reads operators, keywords and literals in any case", () => {
    expect(parseFilter('USERNAME EQ "x" AND Active Eq TRUE')).toMatchObject({ kind: "and" });
    expect(parseFilter("title PR")).toMatchObject({ kind: "present" });
  });

  it("splits schema-URN-prefixed paths and sub-attributes", () => {
    expect(
      parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"'),
    ).toMatchObject({
      path: {
        schema: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        attribute: "manager",
        subAttribute: "value",
      },
    });
  });

  it("parses string escapes, numbers, booleans and null", () => {
    expect(parseFilter('displayName eq "say \\"hi\\" \\u00e9"')).toMatchObject({ value: 'say "hi" é' });
    expect(parseFilter("loginCount ge -1.5e2")).toMatchObject({ value: -150 });
    expect(parseFilter("active eq false")).toMatchObject({ value: false });
    expect(parseFilter("title eq null")).toMatchObject({ value: null });
  });

  it("parses value paths", () => {
    expect(parseFilter('emails[type eq "work" and value co "@acme"]')).toMatchObject({
      kind: "valuePath",
      path: { attribute: "emails" },
      filter: { kind: "and" },
    });
  });

  it.each([
    ["", "empty"],
    ['userName eq "open', "unterminated string starting at position 12"],
    ["userName eq", "expected a value"],
    ['userName xx "a"', "expected an operator (eq, ne, co, sw, ew, pr, gt, ge, lt, le) at position 9"],
    ['userName eq "a" and', "expected an attribute path at position 19"],
    ['(userName eq "a"', "expected ')' at position 16"],
    ['userName eq "a")', "unexpected ')' at position 15"],
    [
      "userName eq bjensen",
      "expected a value (a string in double quotes, number, true, false or null) at position 12",
    ],
    ["active gt true", "'gt' cannot compare with true"],
    ["userName co 1", "'co' needs a string value"],
    ['emails[type eq "work" and x[y eq 1]]', "cannot be nested"],
    ['name.givenName[x eq "y"]', "not a sub-attribute"],
    ['a.b.c eq "x"', "not a valid attribute path"],
    ['userName eq "a" # 1', "unexpected character '#' at position 16"],
  ])("refuses %j with invalidFilter (%s)", (filter, message) => {
    const error = filterError(filter);
    expect(error.status).toBe(400);
    expect(error.scimType).toBe("invalidFilter");
    expect(error.detail).toContain(message);
  });
});

describe("evaluateFilter", () => {
  it.each([
    ['userName eq "BJENSEN@example.com"', true], // userName is caseExact false (RFC 7643 §4.1.1)
    ['externalId eq "BJENSEN"', false], // externalId is caseExact true (RFC 7643 §3.1)
    ['externalId eq "bjensen"', true],
    ['userName ne "bjensen@example.com"', false],
    ['userName ne "other"', true],
    ['name.familyName co "ens"', true],
    ['userName sw "BJ"', true],
    ['userName ew ".COM"', true],
    ['userName sw "x"', false],
    ["title pr", true],
    ["nickName pr", false],
    ["loginCount gt 41", true],
    ["loginCount gt 42", false],
    ["loginCount ge 42", true],
    ["loginCount lt 43", true],
    ["loginCount le 41", false],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified ge "2011-05-13T06:42:34+02:00"', true], // chronological, not lexical
    ['meta.lastModified lt "2012-01-01T00:00:00Z"', true],
    ['title gt "A"', true],
    ["active eq true", true],
    ["active ne true", false],
    ["nickName eq null", true],
    ["title eq null", false],
    ['emails co "jensen.org"', true], // a complex value is compared by its "value"
    ['emails.type eq "home"', true],
    ['emails[type eq "work" and value co "@example.com"]', true],
    ['emails[type eq "home" and value co "@example.com"]', false],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      true,
    ],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', true],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', false],
    ['title pr and userType eq "Employee"', true],
    ['title pr or userType eq "Intern"', true],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"', true],
    [
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"',
      true,
    ],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen@example.com"', true],
    ['USERNAME EQ "bjensen@example.com"', true],
    ['not (userName eq "x") and not (userName eq "y")', true],
  ])("%s → %s", (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it("lets the caller declare case-exact attributes", () => {
    const node = parseFilter('userName eq "BJENSEN@example.com"');
    expect(evaluateFilter(node, user, { caseExact: (path) => path === "username" })).toBe(false);
  });
});

describe("parsePatchPath", () => {
  it("parses attribute, sub-attribute, value filter and sub-attribute after a filter", () => {
    expect(parsePatchPath("name.givenName")).toEqual({
      path: { schema: null, attribute: "name", subAttribute: "givenName" },
      filter: null,
      subAttribute: null,
    });
    expect(parsePatchPath('emails[type eq "work"].value')).toMatchObject({
      path: { attribute: "emails" },
      filter: { kind: "compare", op: "eq", value: "work" },
      subAttribute: "value",
    });
  });

  it("refuses malformed paths with invalidPath", () => {
    for (const path of ["emails[", 'emails[type eq "work"].', "emails]", 'emails[type eq "work"] x']) {
      expect(() => parsePatchPath(path)).toThrow(expect.objectContaining({ scimType: "invalidPath" }));
    }
  });
});

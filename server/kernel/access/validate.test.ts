import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY_PACK } from "./default-pack";
import { OTHER_TENANT, TENANT } from "./fixtures";
import { validatePolicyText } from "./validate";

/** Line and column of `needle` counted by hand (code points), independent of the code under test. */
function where(text: string, needle: string) {
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`${needle} not in text`);
  const before = lines[line]?.slice(0, lines[line]?.indexOf(needle)) ?? "";
  return { line: line + 1, column: [...before].length + 1 };
}

const errorsOf = (text: string, tenantId = TENANT) => {
  const result = validatePolicyText(text, { tenantId });
  if (result.ok) throw new Error("expected errors");
  return result.errors;
};

/** Exactly one error, at `needle`, with a message matching `message`. */
function expectOneError(
  text: string,
  needle: string,
  message: RegExp,
  extra: { policyId?: string; help?: string } = {},
) {
  const errors = errorsOf(text);
  expect(errors).toHaveLength(1);
  const [error] = errors;
  expect(error?.message).toMatch(message);
  expect({ line: error?.line, column: error?.column }).toEqual(where(text, needle));
  if (extra.policyId) expect(error?.policyId).toBe(extra.policyId);
  if (extra.help) expect(error?.help).toBe(extra.help);
}

describe("validatePolicyText", () => {
  it("accepts the default pack and lists its policies with their approval gates", () => {
    const result = validatePolicyText(DEFAULT_POLICY_PACK, { tenantId: TENANT });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.policies).toHaveLength(31);
    expect(result.policies.filter((p) => p.approval)).toEqual([
      {
        id: "large-expense-needs-approver",
        effect: "forbid",
        approval: "role:approver",
        actions: ["finance.expense.submit"],
      },
      {
        id: "large-purchase-needs-approver",
        effect: "forbid",
        approval: "role:approver",
        actions: ["finance.purchase.request"],
      },
      {
        id: "over-budget-expense-needs-approver",
        effect: "forbid",
        approval: "role:approver",
        actions: ["finance.expense.submit"],
      },
      {
        id: "over-budget-purchase-needs-approver",
        effect: "forbid",
        approval: "role:approver",
        actions: ["finance.purchase.request"],
      },
      {
        id: "people-changes-need-admin",
        effect: "forbid",
        approval: "role:admin",
        actions: [
          "hr.employee.create",
          "hr.employee.update",
          "hr.employee.offboard",
          "it.access.revoke",
          "it.device.assign",
          "it.device.return",
        ],
      },
      {
        id: "own-access-needs-manager",
        effect: "forbid",
        approval: "manager",
        actions: ["it.access.grant"],
      },
      {
        id: "access-grant-needs-admin",
        effect: "forbid",
        approval: "role:admin",
        actions: ["it.access.grant"],
      },
      { id: "destructive-needs-admin", effect: "forbid", approval: "role:admin", actions: "all" },
    ]);
    expect(result.policies.find((p) => p.id === "admin-manages-employees")?.actions).toEqual([
      "hr.employee.read",
      "hr.employee.create",
      "hr.employee.update",
      "hr.employee.offboard",
      "hr.remote.employee.read",
      "hr.remote.employee.create",
      "hr.remote.employee.update",
    ]);
  });

  it("rejects bad syntax at the offending token, counting characters after multi-byte ones", () => {
    const text = `// Zoë's rules 😀\n@id("ünïcödé") permit (principal, action, resource) when { 1 + };`;
    expectOneError(text, "};", /unexpected token `}`/);
  });

  it("rejects an unknown entity type", () => {
    const text = `@id("a")\npermit (principal == Tenet::Usr::"${TENANT}/u-1", action, resource);`;
    expectOneError(text, "Tenet::Usr", /unrecognized entity type `Tenet::Usr`/, {
      policyId: "a",
      help: "did you mean `Tenet::User`?",
    });
  });

  it("rejects an unknown action, naming the policy by its @id", () => {
    const text = `@id("a")\npermit (principal, action == Tenet::Action::"hr.timeoff.delete", resource);`;
    expectOneError(
      text,
      "Tenet::Action",
      /^for policy "a", unrecognized action `Tenet::Action::"hr.timeoff.delete"`$/,
    );
  });

  it("rejects a type error", () => {
    const text = `@id("a") permit (principal, action, resource) when { context.now > "soon" };`;
    expectOneError(text, '"soon"', /expected Long but saw String/);
  });

  it("rejects a policy without @id and a duplicate @id", () => {
    const text = [
      `@id("a") permit (principal, action, resource);`,
      `  permit (principal, action, resource);`,
      `@id("b") permit (principal, action, resource);`,
      `@id("a") forbid (principal, action, resource);`,
    ].join("\n");
    expect(errorsOf(text).map((e) => [e.line, e.column, e.policyId, e.message])).toEqual([
      [2, 3, undefined, 'Every policy needs an id: add @id("…") before it'],
      [4, 1, "a", 'Another policy already has the id "a"'],
    ]);
  });

  it("rejects entities of another tenant, and unscoped ids; accepts its own", () => {
    const foreign = `@id("a") permit (principal == Tenet::User::"${OTHER_TENANT}/u-1", action, resource);`;
    expectOneError(foreign, "Tenet::User", /belongs to another tenant/, { policyId: "a" });
    const inCondition = `@id("a") permit (principal, action, resource)\nwhen { resource in [Tenet::Room::"${TENANT}/r-1", Tenet::Room::"${OTHER_TENANT}/r-2"] };`;
    expectOneError(inCondition, `Tenet::Room::"${OTHER_TENANT}`, /belongs to another tenant/);
    const unscoped = `@id("a") permit (principal, action, resource == Tenet::Room::"r-1");`;
    expectOneError(unscoped, "Tenet::Room", /ids are "<tenantId>\/<id>" with this tenant's id/);
    const own = `@id("a") permit (principal == Tenet::User::"${TENANT}/u-1", action, resource == Tenet::Room::"${TENANT}/r-1");`;
    expect(validatePolicyText(own, { tenantId: TENANT }).ok).toBe(true);
    // Roles and skills are global: no tenant prefix.
    const global = `@id("a") permit (principal in Tenet::Role::"admin", action, resource) when { principal is Tenet::Agent && principal.skill == Tenet::Skill::"hr-helper" };`;
    expect(validatePolicyText(global, { tenantId: TENANT }).ok).toBe(true);
  });

  it("rejects a misspelt role, a permit with @approval, an unknown approver and reserved or malformed ids", () => {
    const text = [
      `@id("a") permit (principal in Tenet::Role::"ownr", action, resource);`,
      `@id("b") @approval("role:admin") permit (principal, action, resource);`,
      `@id("c") @approval("role:ceo") forbid (principal, action, resource) unless { context.approvals.contains("role:ceo") };`,
      `@id("grant-x") permit (principal, action, resource);`,
      `@id("Bad Id") permit (principal, action, resource);`,
    ].join("\n");
    expect(errorsOf(text).map((e) => [e.line, e.column, e.message.slice(0, 30)])).toEqual([
      [1, where(text, "Tenet::Role").column, 'for policy "a": entity `Tenet:'],
      [2, 10, "@approval belongs on a forbid "],
      [3, 10, '@approval must be "manager" or'],
      [4, 1, 'Ids starting with "grant-" are'],
      [5, 1, "Policy ids use lowercase lette"],
    ]);
  });

  it("rejects an approval gate that its own approver's approval could not open", () => {
    const text = `@id("big-rooms") @approval("role:admin")
forbid (principal, action == Tenet::Action::"facilities.room.book", resource)
unless { context.approvals.contains("manager") };`;
    const errors = errorsOf(text);
    expect(errors.map((e) => [e.line, e.column])).toEqual([[1, 18]]);
    expect(errors[0]?.message).toMatch(
      /gate for "role:admin" must test context.approvals.contains\("role:admin"\)/,
    );
  });
});

import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { DEFAULT_POLICY_PACK } from "./default-pack";
import { AccessEvaluator } from "./evaluator";
import { accessRequest, agent, asPrincipal, member, NOW, resourceFor, TENANT } from "./fixtures";
import { grantToPolicy, type Grant } from "./grants";

const inOneHour = new Date(NOW.getTime() + 3_600_000);
const helper = agent("agent-1", "u-employee");
const employees = { users: [member("employee", "u-employee", "u-admin"), member("admin", "u-admin")] };

function evaluatorWith(grants: Grant[], version = 1) {
  const evaluator = new AccessEvaluator();
  evaluator.setPolicies(TENANT, { version, policyText: DEFAULT_POLICY_PACK, grants }, NOW);
  return evaluator;
}

const readGrant: Grant = {
  id: "g-read",
  agentId: "agent-1",
  actions: ["hr.employee.read"],
  resource: { type: "Employee", id: "e-7" },
  expiresAt: inOneHour,
};

const readEmployee = (id: string, now = NOW, principal = helper) =>
  accessRequest(principal, "hr.employee.read", resourceFor("hr.employee.read", "u-x", { id }), "read", now);

describe("agents", () => {
  it("have no permissions without a grant, and are told so", () => {
    const decision = evaluatorWith([]).decide(TENANT, readEmployee("e-7"), employees);
    expect(decision).toEqual({
      decision: "deny",
      reasons: ["default-deny"],
      explanation: "Agents have no permissions until they are granted; no grant covers this action.",
    });
  });

  it("may do what a grant names, on its resource, until it expires", () => {
    const evaluator = evaluatorWith([readGrant]);
    expect(evaluator.decide(TENANT, readEmployee("e-7"), employees)).toEqual({
      decision: "allow",
      reasons: ["grant-g-read"],
    });
    // Another resource, another action, another agent, and the moment of expiry: refused.
    expect(evaluator.decide(TENANT, readEmployee("e-8"), employees).decision).toBe("deny");
    const update = accessRequest(
      helper,
      "hr.employee.update",
      resourceFor("hr.employee.update", "u-x", { id: "e-7" }),
    );
    expect(evaluator.decide(TENANT, update, employees).decision).toBe("deny");
    expect(evaluator.decide(TENANT, readEmployee("e-7", NOW, agent("agent-2", "u-employee"))).decision).toBe(
      "deny",
    );
    expect(evaluator.decide(TENANT, readEmployee("e-7", new Date(inOneHour.getTime() - 1000))).decision).toBe(
      "allow",
    );
    expect(evaluator.decide(TENANT, readEmployee("e-7", inOneHour)).decision).toBe("deny");
  });

  it("lose a revoked grant as soon as the new version is loaded", () => {
    const evaluator = evaluatorWith([readGrant]);
    evaluator.setPolicies(
      TENANT,
      { version: 2, policyText: DEFAULT_POLICY_PACK, grants: [{ ...readGrant, revokedAt: NOW }] },
      NOW,
    );
    expect(evaluator.decide(TENANT, readEmployee("e-7"))).toMatchObject({
      decision: "deny",
      reasons: ["default-deny"],
    });
  });

  it("cannot use a grant to skip an approval gate or a self-approval ban", () => {
    const evaluator = evaluatorWith([
      { ...readGrant, id: "g-offboard", actions: ["hr.employee.offboard"], resource: { type: "Employee" } },
      { ...readGrant, id: "g-expenses", actions: ["finance.expense.approve"], resource: { type: "Expense" } },
    ]);
    const offboard = accessRequest(
      helper,
      "hr.employee.offboard",
      resourceFor("hr.employee.offboard", "u-x"),
      "destructive",
    );
    expect(evaluator.decide(TENANT, offboard)).toEqual({
      decision: "require-approval",
      approvers: ["role:admin"],
      reasons: ["destructive-needs-admin"],
    });
    const ownExpense = resourceFor("finance.expense.approve", "u-employee");
    expect(evaluator.decide(TENANT, accessRequest(helper, "finance.expense.approve", ownExpense))).toEqual({
      decision: "deny",
      reasons: ["no-self-approval-expense"],
    });
    const colleagues = resourceFor("finance.expense.approve", "u-other");
    expect(
      evaluator.decide(TENANT, accessRequest(helper, "finance.expense.approve", colleagues)).decision,
    ).toBe("allow");
  });

  it("do not inherit the permissions of the user they act for", () => {
    const evaluator = evaluatorWith([]);
    const admin = member("admin");
    const actingForAdmin = agent("agent-9", admin.id);
    const target = resourceFor("hr.employee.update", "u-x");
    expect(
      evaluator.decide(TENANT, accessRequest(asPrincipal(admin), "hr.employee.update", target)).decision,
    ).toBe("allow");
    expect(
      evaluator.decide(TENANT, accessRequest(actingForAdmin, "hr.employee.update", target)).decision,
    ).toBe("deny");
  });
});

describe("grantToPolicy", () => {
  it("writes one expiring permit for one agent", () => {
    expect(grantToPolicy(TENANT, { ...readGrant, resource: { type: "Employee" } }, NOW)).toBe(
      [
        '@id("grant-g-read")',
        `permit (principal == Tenet::Agent::"${TENANT}/agent-1", action in [Tenet::Action::"hr.employee.read"], resource is Tenet::Employee)`,
        `when { context.now < ${Math.floor(inOneHour.getTime() / 1000)} };`,
      ].join("\n"),
    );
  });

  it("writes nothing for a revoked or expired grant", () => {
    expect(grantToPolicy(TENANT, { ...readGrant, revokedAt: NOW }, NOW)).toBeNull();
    expect(grantToPolicy(TENANT, { ...readGrant, expiresAt: NOW }, NOW)).toBeNull();
  });

  it("refuses ids that could change the policy, unknown actions and mismatched resources", () => {
    const bad: Grant[] = [
      { ...readGrant, agentId: 'x", action, resource); permit (principal' },
      { ...readGrant, id: "G-1" },
      { ...readGrant, resource: { type: "Employee", id: "e-7\\" } },
      { ...readGrant, resource: { type: "Employee", id: `${TENANT}/../other` } },
      { ...readGrant, actions: ["hr.employee.delete"] },
      { ...readGrant, actions: [] },
      { ...readGrant, resource: { type: "Expense", id: "x-1" } },
      { ...readGrant, resource: { type: "Payroll" } },
      { ...readGrant, expiresAt: new Date(Number.NaN) },
    ];
    for (const grant of bad)
      expect(() => grantToPolicy(TENANT, grant, NOW), JSON.stringify(grant)).toThrow(AppError);
  });
});

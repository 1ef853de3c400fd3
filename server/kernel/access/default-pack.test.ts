import { describe, expect, it } from "vitest";
import { ROLES } from "@/server/tenancy/roles";
import type { AccessDecision } from "./decide";
import { DEFAULT_POLICY_PACK } from "./default-pack";
import { AccessEvaluator } from "./evaluator";
import { accessRequest, asPrincipal, member, NOW, resourceFor, TENANT } from "./fixtures";
import { ACTION_NAMES, EFFECTS, isActionName, type Effect } from "./schema";

/**
 * The default pack, role by role. "own": the principal's own request or record; "other": someone
 * else's (managed by someone else); "report": someone whose manager is the principal; "any": rooms,
 * desks, devices, endpoints, which belong to nobody; "-large": an amount above the 100,000-cent
 * threshold; "-over": the budget check found the amount over its cost center's budget.
 * Cells: allow, deny, or "approval:<roles>" (require approval from members with those roles).
 */
const MATRIX = `
action                      | resource        | effect      | owner          | admin          | approver          | employee          | publisher
hr.timeoff.request          | own             | write       | allow          | allow          | allow             | allow             | allow
hr.timeoff.request          | other           | write       | deny           | deny           | deny              | deny              | deny
hr.timeoff.approve          | own             | write       | deny           | deny           | deny              | deny              | deny
hr.timeoff.approve          | report          | write       | allow          | allow          | allow             | allow             | allow
hr.timeoff.approve          | other           | write       | allow          | allow          | deny              | deny              | deny
hr.timeoff.cancel           | own             | write       | allow          | allow          | allow             | allow             | allow
hr.timeoff.cancel           | other           | write       | deny           | deny           | deny              | deny              | deny
hr.employee.read            | own             | read        | allow          | allow          | allow             | allow             | allow
hr.employee.read            | other           | read        | allow          | allow          | deny              | deny              | deny
hr.employee.read            | report          | read        | allow          | allow          | deny              | deny              | deny
hr.employee.create          | other           | write       | allow          | allow          | approval:admin    | approval:admin    | approval:admin
hr.employee.update          | own             | write       | allow          | allow          | approval:admin    | approval:admin    | approval:admin
hr.employee.update          | other           | write       | allow          | allow          | approval:admin    | approval:admin    | approval:admin
hr.employee.offboard        | other           | destructive | approval:admin | approval:admin | approval:admin    | approval:admin    | approval:admin
hr.remote.employee.read     | own             | read        | allow          | allow          | deny              | deny              | deny
hr.remote.employee.read     | other           | read        | allow          | allow          | deny              | deny              | deny
hr.remote.employee.create   | other           | write       | allow          | allow          | deny              | deny              | deny
hr.remote.employee.update   | own             | write       | allow          | allow          | deny              | deny              | deny
hr.remote.employee.update   | other           | write       | allow          | allow          | deny              | deny              | deny
it.access.request           | own             | write       | allow          | allow          | allow             | allow             | allow
it.access.request           | other           | write       | deny           | deny           | deny              | deny              | deny
it.access.grant             | own             | write       | approval:manager | approval:manager | approval:manager  | approval:manager  | approval:manager
it.access.grant             | other           | write       | approval:admin | approval:admin | approval:admin    | approval:admin    | approval:admin
it.access.revoke            | other           | write       | allow          | allow          | approval:admin    | approval:admin    | approval:admin
it.access.revoke            | other           | destructive | approval:admin | approval:admin | approval:admin    | approval:admin    | approval:admin
it.account.read             | own             | read        | allow          | allow          | deny              | deny              | deny
it.account.read             | other           | read        | allow          | allow          | deny              | deny              | deny
it.device.assign            | any             | write       | allow          | allow          | approval:admin    | approval:admin    | approval:admin
it.device.return            | any             | write       | allow          | allow          | approval:admin    | approval:admin    | approval:admin
facilities.room.book        | any             | write       | allow          | allow          | allow             | allow             | allow
facilities.room.book        | any             | destructive | approval:admin | approval:admin | approval:admin    | approval:admin    | approval:admin
facilities.desk.book        | any             | write       | allow          | allow          | allow             | allow             | allow
facilities.equipment.book   | any             | write       | allow          | allow          | allow             | allow             | allow
facilities.booking.cancel   | own             | write       | allow          | allow          | allow             | allow             | allow
facilities.booking.cancel   | other           | write       | allow          | allow          | deny              | deny              | deny
facilities.ticket.create    | own             | write       | allow          | allow          | allow             | allow             | allow
facilities.ticket.create    | other           | write       | deny           | deny           | deny              | deny              | deny
facilities.ticket.update    | own             | write       | allow          | allow          | deny              | deny              | deny
facilities.ticket.update    | other           | write       | allow          | allow          | deny              | deny              | deny
facilities.visitor.register | own             | write       | allow          | allow          | allow             | allow             | allow
facilities.visitor.register | other           | write       | deny           | deny           | deny              | deny              | deny
finance.expense.submit      | own             | write       | allow          | allow          | allow             | allow             | allow
finance.expense.submit      | own-large       | write       | approval:approver | approval:approver | approval:approver | approval:approver | approval:approver
finance.expense.submit      | own-over        | write       | approval:approver | approval:approver | approval:approver | approval:approver | approval:approver
finance.expense.submit      | other           | write       | deny           | deny           | deny              | deny              | deny
finance.expense.submit      | other-over      | write       | deny           | deny           | deny              | deny              | deny
finance.expense.approve     | own             | write       | deny           | deny           | deny              | deny              | deny
finance.expense.approve     | other           | write       | deny           | deny           | allow             | deny              | deny
finance.expense.approve     | other-large     | write       | deny           | deny           | allow             | deny              | deny
finance.expense.approve     | other-over      | write       | deny           | deny           | allow             | deny              | deny
finance.purchase.request    | own             | write       | allow          | allow          | allow             | allow             | allow
finance.purchase.request    | own-large       | write       | approval:approver | approval:approver | approval:approver | approval:approver | approval:approver
finance.purchase.request    | own-over        | write       | approval:approver | approval:approver | approval:approver | approval:approver | approval:approver
finance.purchase.request    | own-large-over  | write       | approval:approver | approval:approver | approval:approver | approval:approver | approval:approver
finance.purchase.request    | own-large       | destructive | approval:admin+approver | approval:admin+approver | approval:admin+approver | approval:admin+approver | approval:admin+approver
finance.purchase.request    | other           | write       | deny           | deny           | deny              | deny              | deny
finance.purchase.approve    | own             | write       | deny           | deny           | deny              | deny              | deny
finance.purchase.approve    | other           | write       | deny           | deny           | allow             | deny              | deny
finance.purchase.order      | other           | write       | allow          | allow          | deny              | deny              | deny
finance.purchase.order      | other-over      | write       | allow          | allow          | deny              | deny              | deny
http.get                    | any             | read        | allow          | allow          | deny              | deny              | deny
http.send                   | any             | write       | allow          | allow          | deny              | deny              | deny
webhook.send                | any             | write       | allow          | allow          | deny              | deny              | deny
`;

type Row = { action: string; resource: string; effect: Effect; expected: Record<string, string> };

function parseMatrix(text: string): Row[] {
  const [header, ...lines] = text
    .trim()
    .split("\n")
    .map((line) => line.split("|").map((cell) => cell.trim()));
  const roles = header?.slice(3) ?? [];
  return lines.map(([action = "", resource = "", effect = "", ...cells]) => {
    const knownEffect = EFFECTS.find((e) => e === effect);
    if (!knownEffect) throw new Error(`Unknown effect ${effect}`);
    return {
      action,
      resource,
      effect: knownEffect,
      expected: Object.fromEntries(roles.map((r, i) => [r, cells[i] ?? ""])),
    };
  });
}

/** The same notation as the table, so a failure shows the cell that differs. */
function cell(decision: AccessDecision): string {
  if (decision.decision !== "require-approval") return decision.decision;
  return `approval:${decision.approvers.map((a) => a.replace(/^role:/, "")).join("+")}`;
}

const evaluator = new AccessEvaluator();
evaluator.setPolicies(TENANT, { version: 1, policyText: DEFAULT_POLICY_PACK, grants: [] }, NOW);

describe("default policy pack", () => {
  const rows = parseMatrix(MATRIX);

  it("covers every action and every role", () => {
    expect(new Set(rows.map((r) => r.action))).toEqual(new Set(ACTION_NAMES));
    for (const row of rows) expect(Object.keys(row.expected)).toEqual([...ROLES]);
  });

  it.each(rows.flatMap((row) => ROLES.map((role) => ({ ...row, role }))))(
    "$role: $action on $resource ($effect) → see table",
    ({ action, resource, effect, expected, role }) => {
      if (!isActionName(action)) throw new Error(`Unknown action ${action}`);
      const principal = member(role, `u-${role}`, "u-ceo");
      const other = member("employee", "u-other", "u-boss");
      const report = member("employee", "u-report", principal.id);
      const [kind = "", ...marks] = resource.split("-");
      const ownerId = { own: principal.id, other: other.id, report: report.id, any: other.id }[kind];
      if (!ownerId || marks.some((m) => m !== "large" && m !== "over"))
        throw new Error(`Unknown resource kind ${resource}`);
      const target = resourceFor(action, ownerId, {
        amountCents: marks.includes("large") ? 250_000 : 5_000,
        ...(marks.includes("over") && { overBudget: true }),
      });
      const decision = evaluator.decide(
        TENANT,
        accessRequest(asPrincipal(principal), action, target, effect),
        {
          users: [other, report],
        },
      );
      expect(cell(decision)).toBe(expected[role]);
    },
  );

  it("explains its decisions with policy ids", () => {
    const employee = member("employee");
    const ownExpense = resourceFor("finance.expense.submit", employee.id, { amountCents: 250_000 });
    expect(
      evaluator.decide(TENANT, accessRequest(asPrincipal(employee), "finance.expense.submit", ownExpense)),
    ).toEqual({
      decision: "require-approval",
      approvers: ["role:approver"],
      reasons: ["large-expense-needs-approver"],
    });
    const approver = member("approver");
    const ownApproval = resourceFor("finance.expense.approve", approver.id);
    expect(
      evaluator.decide(TENANT, accessRequest(asPrincipal(approver), "finance.expense.approve", ownApproval)),
    ).toEqual({
      decision: "deny",
      reasons: ["no-self-approval-expense"],
    });
    expect(
      evaluator.decide(
        TENANT,
        accessRequest(asPrincipal(employee), "hr.employee.read", resourceFor("hr.employee.read", "u-x")),
      ),
    ).toMatchObject({ decision: "deny", reasons: ["default-deny"] });
  });

  it("gates an over-budget expense or purchase for an approver, and only one found over budget", () => {
    const employee = asPrincipal(member("employee"));
    const decide = (action: "finance.expense.submit" | "finance.purchase.request", overBudget?: boolean) =>
      evaluator.decide(
        TENANT,
        accessRequest(
          employee,
          action,
          resourceFor(action, employee.id, { amountCents: 250_000, overBudget }),
        ),
      );
    expect(decide("finance.expense.submit", true)).toEqual({
      decision: "require-approval",
      approvers: ["role:approver"],
      reasons: ["large-expense-needs-approver", "over-budget-expense-needs-approver"],
    });
    expect(decide("finance.purchase.request", true).reasons).toEqual([
      "large-purchase-needs-approver",
      "over-budget-purchase-needs-approver",
    ]);
    // Within budget, or never checked: only the amount's own gate applies.
    for (const overBudget of [false, undefined])
      expect(decide("finance.expense.submit", overBudget).reasons).toEqual(["large-expense-needs-approver"]);
    // The approver's approval opens both gates at once.
    const approved = accessRequest(
      employee,
      "finance.purchase.request",
      resourceFor("finance.purchase.request", employee.id, { amountCents: 5_000, overBudget: true }),
    );
    expect(
      evaluator.decide(TENANT, {
        ...approved,
        context: { ...approved.context, approvals: ["role:approver"] },
      }),
    ).toEqual({ decision: "allow", reasons: ["request-own-purchase"] });
  });

  it("counts exactly 100,000 cents as not large", () => {
    const employee = asPrincipal(member("employee"));
    const at = (amountCents: number) =>
      evaluator.decide(
        TENANT,
        accessRequest(
          employee,
          "finance.purchase.request",
          resourceFor("finance.purchase.request", "u-employee", { amountCents }),
        ),
      ).decision;
    expect([at(100_000), at(100_001)]).toEqual(["allow", "require-approval"]);
  });
});

import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import type { Approver } from "./approval";
import { DEFAULT_POLICY_PACK } from "./default-pack";
import { AccessEvaluator } from "./evaluator";
import { accessRequest, asPrincipal, member, NOW, OTHER_TENANT, resourceFor, TENANT } from "./fixtures";

const employee = member("employee");
const bookRoom = accessRequest(
  asPrincipal(employee),
  "facilities.room.book",
  resourceFor("facilities.room.book", "-"),
);
const noRooms = `@id("no-rooms") forbid (principal, action == Tenet::Action::"facilities.room.book", resource);`;

describe("AccessEvaluator", () => {
  it("keeps one set per tenant and replaces it only with a higher version", () => {
    const evaluator = new AccessEvaluator();
    expect(
      evaluator.setPolicies(TENANT, { version: 1, policyText: DEFAULT_POLICY_PACK, grants: [] }, NOW),
    ).toBe("replaced");
    expect(evaluator.setPolicies(OTHER_TENANT, { version: 1, policyText: noRooms, grants: [] }, NOW)).toBe(
      "replaced",
    );
    expect(evaluator.decide(TENANT, bookRoom).decision).toBe("allow");
    expect(evaluator.decide(OTHER_TENANT, bookRoom).decision).toBe("deny");

    const stricter = `${DEFAULT_POLICY_PACK}\n${noRooms}`;
    expect(evaluator.setPolicies(TENANT, { version: 1, policyText: stricter, grants: [] }, NOW)).toBe(
      "unchanged",
    );
    expect(evaluator.decide(TENANT, bookRoom).decision).toBe("allow");
    expect(evaluator.setPolicies(TENANT, { version: 2, policyText: stricter, grants: [] }, NOW)).toBe(
      "replaced",
    );
    expect(evaluator.decide(TENANT, bookRoom)).toEqual({ decision: "deny", reasons: ["no-rooms"] });
    // A slow writer with an older version must not undo the newer set.
    expect(
      evaluator.setPolicies(TENANT, { version: 1, policyText: DEFAULT_POLICY_PACK, grants: [] }, NOW),
    ).toBe("stale");
    expect(evaluator.decide(TENANT, bookRoom).decision).toBe("deny");
  });

  it("keeps the previous set when the new text is invalid", () => {
    const evaluator = new AccessEvaluator();
    evaluator.setPolicies(TENANT, { version: 1, policyText: DEFAULT_POLICY_PACK, grants: [] }, NOW);
    expect(() =>
      evaluator.setPolicies(
        TENANT,
        { version: 2, policyText: "permit (principal, action, resource);", grants: [] },
        NOW,
      ),
    ).toThrow(/1:1 Every policy needs an id/);
    expect(evaluator.version(TENANT)).toBe(1);
    expect(evaluator.decide(TENANT, bookRoom).decision).toBe("allow");
  });

  it("fails closed for a tenant without policies and for a mismatched resource", () => {
    const evaluator = new AccessEvaluator();
    expect(() => evaluator.decide(TENANT, bookRoom)).toThrow(AppError);
    evaluator.setPolicies(TENANT, { version: 1, policyText: DEFAULT_POLICY_PACK, grants: [] }, NOW);
    const mismatched = { ...bookRoom, action: "finance.expense.approve" as const };
    expect(() => evaluator.decide(TENANT, mismatched)).toThrow(/applies to Expense, not Room/);
  });

  it("denies when a forbid cannot be evaluated, instead of letting Cedar skip it", () => {
    // The gate reads the requester's email; the caller forgot to supply the requester.
    const gate = `@id("board-time-off") forbid (principal, action == Tenet::Action::"hr.timeoff.approve", resource)
when { resource.requester.email like "*@board.example" };`;
    const evaluator = new AccessEvaluator();
    evaluator.setPolicies(
      TENANT,
      { version: 1, policyText: `${DEFAULT_POLICY_PACK}\n${gate}`, grants: [] },
      NOW,
    );
    const admin = asPrincipal(member("admin"));
    const approve = accessRequest(admin, "hr.timeoff.approve", resourceFor("hr.timeoff.approve", "u-hr"));
    expect(evaluator.decide(TENANT, approve, { users: [member("employee", "u-hr")] }).decision).toBe("allow");
    expect(evaluator.decide(TENANT, approve)).toMatchObject({
      decision: "deny",
      reasons: ["board-time-off"],
    });
  });

  it("opens each approval gate only with its own approver's approval", () => {
    const evaluator = new AccessEvaluator();
    evaluator.setPolicies(TENANT, { version: 1, policyText: DEFAULT_POLICY_PACK, grants: [] }, NOW);
    // A large, destructive purchase request: finance's gate and the destructive-actions gate.
    const purchase = accessRequest(
      asPrincipal(employee),
      "finance.purchase.request",
      resourceFor("finance.purchase.request", employee.id, { amountCents: 500_000 }),
      "destructive",
    );
    const given = (approvals: Approver[]) =>
      evaluator.decide(TENANT, { ...purchase, context: { ...purchase.context, approvals } });

    expect(given([])).toEqual({
      decision: "require-approval",
      approvers: ["role:admin", "role:approver"],
      reasons: ["destructive-needs-admin", "large-purchase-needs-approver"],
    });
    expect(given(["role:admin"])).toEqual({
      decision: "require-approval",
      approvers: ["role:approver"],
      reasons: ["large-purchase-needs-approver"],
    });
    expect(given(["manager"])).toMatchObject({
      decision: "require-approval",
      approvers: ["role:admin", "role:approver"],
    });
    expect(given(["role:approver", "role:admin"])).toEqual({
      decision: "allow",
      reasons: ["request-own-purchase"],
    });
  });
});

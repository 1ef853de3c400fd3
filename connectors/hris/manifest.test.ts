import { describe, expect, it } from "vitest";
import { ACTION_INFO } from "@/server/kernel/access/schema";
import { hrisManifest } from "./manifest";

describe("hris manifest", () => {
  const specs = Object.values(hrisManifest.actions);

  it("declares each action with the kernel's effect, and reversals by actions of its own", () => {
    const own = new Set(specs.map((s) => s.action));
    expect([...own].sort()).toEqual(
      [
        "hr.employee.create",
        "hr.employee.offboard",
        "hr.employee.read",
        "hr.employee.update",
        "hr.timeoff.approve",
        "hr.timeoff.cancel",
        "hr.timeoff.request",
      ].sort(),
    );
    for (const spec of specs) {
      expect(spec.effect, spec.action).toBe(ACTION_INFO[spec.action].effect);
      if (spec.reversible) expect(own.has(spec.reversible.by), spec.action).toBe(true);
    }
  });

  it("leases the person for every write on an employee", () => {
    const { employeeUpdate, employeeOffboard, timeoffRequest } = hrisManifest.actions;
    const id = "6f1c1b8e-7a53-4c1e-9a55-1c0f3a2b4d5e";
    expect(
      employeeUpdate.resources?.(employeeUpdate.input.parse({ employeeId: id, changes: { title: "x" } })),
    ).toEqual([{ key: `employee:${id}` }]);
    expect(
      employeeOffboard.resources?.(employeeOffboard.input.parse({ employeeId: id, endDate: "2030-01-01" })),
    ).toEqual([{ key: `employee:${id}` }]);
    expect(
      timeoffRequest.resources?.(
        timeoffRequest.input.parse({
          employeeId: id,
          policyId: id,
          startDate: "2030-01-01",
          endDate: "2030-01-02",
        }),
      ),
    ).toEqual([{ key: `timeoff:${id}` }]);
  });

  it("refuses an update that changes nothing or names an unknown field", () => {
    const { employeeUpdate } = hrisManifest.actions;
    const id = "6f1c1b8e-7a53-4c1e-9a55-1c0f3a2b4d5e";
    expect(employeeUpdate.input.safeParse({ employeeId: id, changes: {} }).success).toBe(false);
    expect(employeeUpdate.input.safeParse({ employeeId: id, changes: { salary: 1 } }).success).toBe(false);
  });
});

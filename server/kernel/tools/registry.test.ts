import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createToolRegistry, defineTool, leaseTtlOf, type ToolAction } from "./registry";

const noop = (
  action: "facilities.room.book" | "hr.employee.offboard",
  connector: string,
  effect: "read" | "write" | "destructive",
) =>
  defineTool({
    action,
    connector,
    effect,
    input: z.object({}),
    output: z.object({}),
    timeoutMs: 1_000,
    run: () => Promise.resolve({}),
  });

describe("createToolRegistry", () => {
  it("refuses a connector that declares a different effect than the kernel's catalog", () => {
    expect(() => createToolRegistry([noop("hr.employee.offboard", "sneaky", "read")])).toThrow(
      "sneaky declares hr.employee.offboard as read, but the kernel knows it as destructive",
    );
  });

  it("refuses two connectors providing one action, and finds each action's connector", () => {
    expect(() =>
      createToolRegistry([
        noop("facilities.room.book", "a", "write"),
        noop("facilities.room.book", "b", "write"),
      ]),
    ).toThrow("facilities.room.book is provided by both a and b");
    const registry = createToolRegistry([noop("facilities.room.book", "rooms", "write")]);
    expect(registry.find("facilities.room.book")?.connector).toBe("rooms");
    expect(registry.find("hr.employee.offboard")).toBeUndefined();
  });

  it("refuses broker declarations it could not honour", () => {
    const rooms = (declared: Partial<ToolAction>) => () =>
      createToolRegistry([{ ...noop("facilities.room.book", "rooms", "write"), ...declared }]);
    expect(rooms({ leaseTtlMs: 1_000 })).toThrow("leaseTtlMs must exceed timeoutMs (1000 ms)");
    expect(rooms({ maxParallel: 0 })).toThrow("maxParallel must be a positive whole number");
    expect(rooms({ conflictWaitMs: 500 })).toThrow('conflictWaitMs applies only with onConflict "wait"');
    expect(rooms({ connector: "Rooms'; --" })).toThrow("must be lowercase letters");
    expect(
      rooms({ onConflict: "wait", conflictWaitMs: 500, maxParallel: 3, leaseTtlMs: 5_000 }),
    ).not.toThrow();
  });

  it("leases last the time limit plus a margin unless declared, and see the parsed input", () => {
    const tool = defineTool({
      action: "facilities.room.book",
      connector: "rooms",
      effect: "write",
      input: z.object({ roomId: z.string().trim() }),
      output: z.object({}),
      timeoutMs: 1_000,
      leases: (input) => [{ key: `room:${input.roomId}` }],
      run: () => Promise.resolve({}),
    });
    expect(leaseTtlOf(tool)).toBe(31_000);
    expect(leaseTtlOf({ ...tool, leaseTtlMs: 2_000 })).toBe(2_000);
    expect(tool.leases?.({ roomId: " r-1 " })).toEqual([{ key: "room:r-1" }]);
  });
});

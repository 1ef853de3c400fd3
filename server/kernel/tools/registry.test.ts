import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createToolRegistry, defineTool } from "./registry";

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
});

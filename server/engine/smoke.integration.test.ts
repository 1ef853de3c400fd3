import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, startHarness } from "./testing";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    appId: "smoke",
    functions: (client) => [
      client.createFunction({ id: "seq", triggers: [{ event: "smoke/go" }] }, async ({ event, step }) => {
        const a = await step.run("a", () => ({ v: 1 }));
        const b = await step.run("b", () => a.v + 1);
        return { b, got: event.data };
      }),
    ],
  });
});
afterAll(() => h?.close());

it("runs steps in sequence", async () => {
  await h.client.send({ name: "smoke/go", data: { x: 1 } });
  const [run] = await h.waitForRuns(h.fnId("seq"), (runs) => runs.length === 1 && runs[0]?.status !== "running");
  expect(run?.status).toBe("completed");
  expect(run?.output).toEqual({ b: 2, got: { x: 1 } });
});

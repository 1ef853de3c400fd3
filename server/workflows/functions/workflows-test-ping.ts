/**
 * The Runs page's "Send test event": a short run with a step on each side of a sleep, so an admin can
 * see the engine plan, run, sleep and resume a workflow, live, without it touching anything.
 */
import { workflowsTestPing } from "../events";
import { createTenantFunction } from "../tenant-function";
import { FUNCTION_IDS } from "./ids";

export const TEST_PING_SLEEP = "2s";

export const testPing = createTenantFunction({ runsPerTenant: 5 })(
  { id: FUNCTION_IDS.testPing, name: "Test event", triggers: [workflowsTestPing], retries: 0 },
  async ({ event, step }) => {
    const echo = await step.run("echo", () => ({
      message: event.data.message ?? "ping",
      receivedAt: new Date().toISOString(),
    }));
    await step.sleep("wait", TEST_PING_SLEEP);
    const finish = await step.run("finish", () => ({
      finishedAt: new Date().toISOString(),
      elapsedMs: Date.now() - Date.parse(echo.receivedAt),
    }));
    return { message: echo.message, ...finish };
  },
);

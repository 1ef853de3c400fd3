/**
 * Test helpers for the request and approval routers (used by tests only): a request waiting at one
 * approval level, written through server/requests/store.ts as its workflow would have left it, so API
 * tests do not depend on a workflow run.
 */
import { randomUUID } from "node:crypto";
import { appendTimeline, insertRequest, openTask, updateRequest } from "@/server/requests/store";
import type { PlanItemView } from "@/server/requests/types";
import type { TestTenant, TestUser } from "@/server/testing/fixtures";

export const TEST_PLAN: PlanItemView[] = [
  {
    key: "grant",
    action: "it.access.grant",
    connector: "scim",
    effect: "write",
    reversible: true,
    description: "Create account for the requester in Figma (Editor)",
    changes: [{ kind: "create", summary: "Figma account" }],
    warnings: [],
    decision: "require-approval",
    reasons: ["apps-need-manager"],
  },
];

export async function waitingRequest(
  tenant: TestTenant,
  requester: TestUser,
  approvers: readonly TestUser[],
  level: { commentOnDeny?: boolean; bulk?: boolean; required?: number } = {},
): Promise<{ requestId: string; taskId: string }> {
  return tenant.asOwner(async ({ db, tenantId }) => {
    const request = await insertRequest(db, {
      tenantId,
      type: "software-access",
      requesterId: requester.userId,
      title: "Figma (Editor)",
      input: { roleId: randomUUID(), reason: "Design reviews" },
    });
    await appendTimeline(db, tenantId, request.id, "request.submitted", "Submitted: Software access");
    await updateRequest(db, tenantId, request.id, {
      status: "waiting",
      waitingFor: "Waiting for the manager",
      plan: TEST_PLAN,
    });
    const { row: task } = await openTask(db, {
      tenantId,
      requestId: request.id,
      level: 1,
      name: "Manager",
      approver: "manager",
      assignees: approvers.map((a) => ({ userId: a.userId })),
      required: level.required ?? 1,
      commentOnDeny: level.commentOnDeny ?? false,
      bulk: level.bulk ?? true,
      remindAt: null,
      escalateAt: null,
    });
    return { requestId: request.id, taskId: task.id };
  });
}

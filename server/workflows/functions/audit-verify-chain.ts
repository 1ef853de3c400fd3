/**
 * Verifies one tenant's audit chain (as the audit console's "Verify" does) and records the outcome in
 * that tenant's log as `audit.chain_verified`, where its admins see it; a broken chain is recorded as
 * failed, with the first bad entry. Two steps, so a retry of the recording does not verify again.
 */
import { NonRetriableError } from "inngest";
import { getDb } from "@/server/db/client";
import { checkAuditChain, recordAuditChainCheck } from "@/server/kernel/audit/chain-check";
import { engineFunctionId } from "../client";
import { auditChainVerifyRequested } from "../events";
import { createTenantFunction } from "../tenant-function";
import { FUNCTION_IDS } from "./ids";

export const auditVerifyChain = createTenantFunction({ runsPerTenant: 1 })(
  {
    id: FUNCTION_IDS.auditVerifyChain,
    name: "Verify the audit chain",
    triggers: [auditChainVerifyRequested],
    retries: 3,
  },
  async ({ event, step, runId }) => {
    const { tenantId } = event.data;
    const check = await step.run("verify-chain", async () => {
      const result = await checkAuditChain(getDb(), tenantId);
      if (!result) throw new NonRetriableError(`No tenant has the id ${tenantId}`);
      return result;
    });
    const entry = await step.run("record-outcome", () =>
      recordAuditChainCheck(getDb(), tenantId, check, {
        functionId: engineFunctionId(FUNCTION_IDS.auditVerifyChain),
        runId,
      }),
    );
    return { ok: check.ok, message: check.message, checked: check.checked, auditEntry: entry.seq };
  },
);

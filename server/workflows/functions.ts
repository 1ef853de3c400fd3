/** Every workflow function the app serves at /api/inngest (and syncs to the engine). */
import { auditVerifyChain } from "./functions/audit-verify-chain";
import { auditVerifyNightly } from "./functions/audit-verify-nightly";
import { requestWorkflows } from "./functions/requests";
import { testPing } from "./functions/workflows-test-ping";

export const functions = [auditVerifyNightly, auditVerifyChain, testPing, ...requestWorkflows];

/**
 * Function ids, stable across deployments: the engine files runs under them (prefixed with the app id,
 * client.ts `engineFunctionId`), so renaming one orphans its history.
 */
export const FUNCTION_IDS = {
  auditVerifyNightly: "audit-verify-nightly",
  auditVerifyChain: "audit-verify-chain",
  testPing: "workflows-test-ping",
} as const;

import { createToolRegistry } from "./registry";

/**
 * The connector actions installed in this build: the one map the production kernel executes from.
 * Connectors add their actions here as they land (connectors/README.md); until then an allowed
 * syscall is audited as failed with "No installed connector provides …", never faked.
 */
export const installedTools = createToolRegistry([]);

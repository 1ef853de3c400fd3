import { installedTools } from "@/connectors";
import { getDb } from "@/server/db/client";
import { Kernel } from "@/server/kernel/kernel";
import { modelProviderFromEnv, type ModelProvider } from "@/server/kernel/models";
import { appScheduler } from "@/server/kernel/scheduler/app";

/**
 * The platform: the kernel composed with what this build installs. The kernel itself knows no
 * connector (eslint.config.mjs keeps server/kernel from importing connectors/); here it gets the
 * registry built from connectors/index.ts, the shared database client, this process's scheduler and
 * the configured model. Import `kernel` from here to make syscalls.
 */

let models: ModelProvider | undefined;
const appModelProvider = () => (models ??= modelProviderFromEnv());

/** The app's kernel: the shared database client, the installed connectors, the configured model. */
export const kernel = new Kernel({
  db: getDb,
  tools: installedTools,
  scheduler: appScheduler,
  models: appModelProvider,
});

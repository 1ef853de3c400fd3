/**
 * The kernel's model providers, and the one chosen by configuration (LLM_PROVIDER, README
 * "Configuration"). The mock server (./mock-openai-server.ts) is for tests and benchmarks and is not
 * exported here, so app code never pulls it in.
 */
import { env, type parseEnv } from "@/server/env.js";
import { LOCAL_MODEL, LocalProvider } from "./local";
import { OpenAIProvider } from "./openai";
import type { ModelProvider } from "./provider";

export * from "./provider";
export { LOCAL_MODEL, LocalProvider, type LocalProviderOptions } from "./local";
export { OpenAIProvider, type OpenAIProviderOptions } from "./openai";

/** OpenAI's small general model: a sensible default when LLM_MODEL does not name one. */
export const DEFAULT_OPENAI_MODEL = "gpt-4o-mini";

export type ModelEnv = Pick<
  ReturnType<typeof parseEnv>,
  "LLM_PROVIDER" | "LLM_BASE_URL" | "LLM_API_KEY" | "LLM_MODEL"
>;

/** The provider a configuration names; pure, so the choice is unit-tested without the process's env. */
export function modelProviderFromConfig(e: ModelEnv): ModelProvider {
  if (e.LLM_PROVIDER === "local") return new LocalProvider({ model: e.LLM_MODEL ?? LOCAL_MODEL });
  // server/env.js refuses LLM_PROVIDER=openai without both; this only narrows the types.
  if (!e.LLM_BASE_URL || !e.LLM_API_KEY)
    throw new Error("LLM_BASE_URL and LLM_API_KEY are required when LLM_PROVIDER is openai");
  return new OpenAIProvider({
    baseUrl: e.LLM_BASE_URL,
    apiKey: e.LLM_API_KEY,
    model: e.LLM_MODEL ?? DEFAULT_OPENAI_MODEL,
  });
}

/** The provider this process is configured with. */
export function modelProviderFromEnv(): ModelProvider {
  return modelProviderFromConfig(env);
}

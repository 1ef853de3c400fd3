import { describe, expect, it } from "vitest";
import { parseEnv } from "@/server/env.js";
import {
  DEFAULT_OPENAI_MODEL,
  LOCAL_MODEL,
  LocalProvider,
  modelProviderFromConfig,
  OpenAIProvider,
} from "./index";

describe("modelProviderFromConfig", () => {
  it("picks the local model by default", () => {
    const provider = modelProviderFromConfig(parseEnv({}));
    expect(provider).toBeInstanceOf(LocalProvider);
    expect(provider).toMatchObject({ id: "local", model: LOCAL_MODEL });
    expect(modelProviderFromConfig(parseEnv({ LLM_MODEL: "demo" })).model).toBe("demo");
  });

  it("picks the OpenAI-compatible provider, with its default model unless LLM_MODEL names one", () => {
    const openai = { LLM_PROVIDER: "openai", LLM_BASE_URL: "https://api.openai.com/v1", LLM_API_KEY: "sk-x" };
    const provider = modelProviderFromConfig(parseEnv(openai));
    expect(provider).toBeInstanceOf(OpenAIProvider);
    expect(provider).toMatchObject({ id: "openai", model: DEFAULT_OPENAI_MODEL });
    expect(modelProviderFromConfig(parseEnv({ ...openai, LLM_MODEL: "gpt-4.1" })).model).toBe("gpt-4.1");
  });
});

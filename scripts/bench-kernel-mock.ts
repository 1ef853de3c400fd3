/**
 * The model server of `npm run bench:kernel`: the mock OpenAI server (server/kernel/models/
 * mock-openai-server.ts) in a process of its own, as a provider is a machine of its own. In the
 * benchmark's process its event loop would be slowed by whatever the agents' side does (a storm of
 * retries, the kernel), and its latencies with it, which no real provider would suffer.
 *
 * `startMockProcess(options)` spawns this file; run as a script it serves and answers over IPC.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  startMockOpenAI,
  type MockOpenAIOptions,
  type MockOpenAIStats,
} from "@/server/kernel/models/mock-openai-server";

export type MockStats = Omit<MockOpenAIStats, "log">;

export type MockProcess = {
  url: string;
  pid: number;
  stats(): Promise<MockStats>;
  close(): Promise<void>;
};

type Reply = { url: string } | { stats: MockStats };

export async function startMockProcess(options: MockOpenAIOptions): Promise<MockProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), JSON.stringify(options)],
    { stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const waiting: { resolve: (reply: Reply) => void; reject: (error: Error) => void }[] = [];
  let exited: Error | null = null;
  child.on("message", (message: Reply) => waiting.shift()?.resolve(message));
  child.once("exit", (code) => {
    exited = new Error(`the mock model server exited (${code})`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  const next = () =>
    new Promise<Reply>((resolve, reject) => {
      if (exited) reject(exited);
      else waiting.push({ resolve, reject });
    });
  const hello = await next();
  if (!("url" in hello)) throw new Error("the mock model server did not say where it listens");
  return {
    url: hello.url,
    pid: child.pid ?? -1,
    async stats() {
      const reply = next();
      child.send("stats");
      const answer = await reply;
      if (!("stats" in answer)) throw new Error("the mock model server answered something else");
      return answer.stats;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once("exit", () => resolve());
        child.send("close");
      }),
  };
}

/** As a script: serve with the options in argv[2] until told to close. */
async function serve(options: MockOpenAIOptions) {
  const mock = await startMockOpenAI({ ...options, log: false });
  process.on("message", (message) => {
    if (message === "stats") {
      const { log: _log, ...stats } = mock.stats();
      process.send?.({ stats } satisfies Reply);
    } else if (message === "close") void mock.close().finally(() => process.exit(0));
  });
  process.on("disconnect", () => process.exit(0));
  process.send?.({ url: mock.url } satisfies Reply);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options: MockOpenAIOptions = JSON.parse(process.argv[2] ?? "{}") as MockOpenAIOptions;
  await serve(options);
}

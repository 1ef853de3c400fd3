/**
 * Where `npm run bench:kernel`'s process spends its CPU during one Tenet run, by V8's sampling
 * profiler. Each sample is charged to the code that caused it: a built-in function or Node's own
 * module (hashing, JSON, streams) to the nearest caller outside them, so "the audit log" includes its
 * sha256; socket writes, the system calls behind every round trip, are counted apart.
 */
import { Session } from "node:inspector/promises";

const CATEGORIES: [RegExp, string][] = [
  [/node_modules\/(pg|pg-protocol|pg-pool|pg-types|pgpass)\//, "the pg driver"],
  [/node_modules\/(@prisma|prisma)\/|\/server\/db\/generated\//, "Prisma"],
  [/node_modules\/@cedar-policy\//, "Cedar (access decisions)"],
  [/node_modules\/zod\//, "zod (checking inputs, outputs and audit entries)"],
  [/\/server\/kernel\/audit\//, "the audit log (entries, redaction, hashing)"],
  [/\/server\/kernel\/scheduler\//, "the scheduler"],
  [/\/server\/kernel\/access\//, "the access manager"],
  [/\/server\/kernel\/tools\//, "the tool broker"],
  [/\/server\/kernel\/(models\/|model-call)/, "model calls (provider, fetch)"],
  [/\/server\/kernel\/kernel/, "kernel.call"],
  [/\/server\/db\//, "the database layer (withTenantSql)"],
  [/^node:internal\/deps\/undici|node_modules\/undici\//, "model calls (provider, fetch)"],
  [/\/scripts\//, "the bench's agents"],
];

/** Socket writes are system calls, one or more per database round trip and HTTP request. */
const SOCKET_WRITES = /^(writev|writeBuffer|writeUtf8String|writeLatin1String)$/;

const categoryOf = (url: string) =>
  CATEGORIES.find(([pattern]) => pattern.test(url))?.[1] ?? "other libraries";

/**
 * Built-in functions, Node's own modules and WebAssembly (Cedar's engine, Prisma's query compiler)
 * are charged to the nearest caller outside them, whose package says whose they are.
 */
const isInternal = (url: string) => url === "" || url.startsWith("node:") || url.startsWith("wasm:");

export type CpuShares = [string, number][];

/** The main thread's time during `work`, by category, as shares of all samples (idle included). */
export async function profileCpu(work: () => Promise<void>): Promise<CpuShares> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  const failure = await work().then(
    () => null,
    (error: unknown) => ({ error }),
  );
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  if (failure) throw failure.error;
  return tally(profile.nodes);
}

type ProfileNode = {
  id: number;
  hitCount?: number;
  children?: number[];
  callFrame: { url: string; functionName: string };
};

function tally(nodes: readonly ProfileNode[]): CpuShares {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const counts = new Map<string, number>();
  let total = 0;
  for (const node of nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    total += hits;
    const { functionName } = node.callFrame;
    let category: string;
    if (functionName === "(idle)") category = "idle";
    else if (functionName === "(garbage collector)") category = "garbage collection";
    else if (functionName === "(program)") category = "V8 and native code outside JavaScript";
    else {
      let at: ProfileNode | undefined = node;
      while (at && isInternal(at.callFrame.url)) at = byId.get(parent.get(at.id) ?? -1);
      const caller = at ? categoryOf(at.callFrame.url) : "Node internals (event loop, promises, timers)";
      category = SOCKET_WRITES.test(functionName) ? `socket writes (system calls) of ${caller}` : caller;
    }
    counts.set(category, (counts.get(category) ?? 0) + hits);
  }
  return [...counts]
    .map(([name, hits]): [string, number] => [name, hits / Math.max(1, total)])
    .sort((a, b) => b[1] - a[1]);
}

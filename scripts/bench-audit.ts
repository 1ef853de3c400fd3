/**
 * Benchmarks the audit log on a throwaway database (DATABASE_URL's server, else an embedded
 * PostgreSQL): append latency one entry per transaction, alone and with 8 concurrent appenders; bulk
 * appends; and verification of a 100,000-entry chain through the app's Prisma transaction and through
 * a plain pg connection. Replaces the "Audit log" section of docs/benchmarks.md.
 *
 *   npx tsx scripts/bench-audit.ts [--entries 100000] [--no-write]
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import { writeBenchmarkSection } from "./bench-report";

// Development derives the checkpoint key from AUTH_SECRET; a bare shell has neither.
if (!process.env.AUTH_SECRET && !process.env.AUDIT_SIGNING_KEY) {
  process.env.AUTH_SECRET = randomBytes(32).toString("base64url");
}
const { values: args } = parseArgs({
  options: {
    entries: { type: "string", default: "100000" },
    "no-write": { type: "boolean", default: false },
  },
});
const TOTAL = Number(args.entries);
if (!Number.isInteger(TOTAL) || TOTAL < 5_000) throw new Error("--entries must be an integer ≥ 5000");

// Imported after the environment is settled: server/env.js reads it once, on import.
const [
  { createPrismaClient },
  { withTenant },
  { signUp },
  { tenantForUser },
  { appendAudit },
  { prng, sampleEntry },
  { verifyChain },
  { defaultWorkerCount },
  { createCheckpoint },
  { openThrowawayDatabase },
  { default: pg },
  { env },
] = await Promise.all([
  import("@/server/db/client"),
  import("@/server/db/scope"),
  import("@/server/auth/sign-up"),
  import("@/server/tenancy/tenants"),
  import("@/server/kernel/audit/log"),
  import("@/server/kernel/audit/sample-entries"),
  import("@/server/kernel/audit/verify"),
  import("@/server/kernel/audit/segment-pool"),
  import("@/server/kernel/audit/checkpoint"),
  import("@/server/testing/throwaway-database"),
  import("pg"),
  import("@/server/env.js"),
]);

const log = (line: string) => console.log(`[bench-audit] ${line}`);
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: samples.length };
};
const fmt = (n: number, digits = 2) =>
  n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const int = (n: number) => Math.round(n).toLocaleString("en");

const database = await openThrowawayDatabase("tenet_bench");
const db = createPrismaClient(database.appUrl, { max: 10 });
const owner = new pg.Client({ connectionString: database.ownerUrl });
await owner.connect();
try {
  const slug = `bench-${randomBytes(3).toString("hex")}`;
  const { userId } = await signUp(db, {
    name: "Bench Owner",
    email: `owner@${slug}.test`,
    password: "bench-password-1",
    tenantName: "Bench",
    tenantSlug: slug,
  });
  const tenant = await tenantForUser(db, userId, slug);
  if (!tenant) throw new Error("bench tenant not visible");
  const tenantId = tenant.id;
  const random = prng(1);
  let written = 1;
  const appendOne = async () => {
    const start = process.hrtime.bigint();
    await withTenant(db, { tenantId }, (tx) => appendAudit(tx, tenantId, sampleEntry(written++, random)));
    return ms(start);
  };

  for (let i = 0; i < 200; i++) await appendOne(); // warm-up: connections, prepared plans, JIT
  const single: number[] = [];
  for (let i = 0; i < 2_000; i++) single.push(await appendOne());
  const alone = summary(single);
  log(`append, one per transaction: p50 ${fmt(alone.p50)} ms, p99 ${fmt(alone.p99)} ms`);

  const concurrent: number[] = [];
  const concurrentStart = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 250; i++) concurrent.push(await appendOne());
    }),
  );
  const contended = summary(concurrent);
  const contendedRate = (concurrent.length / ms(concurrentStart)) * 1000;
  log(
    `append, 8 concurrent appenders: p50 ${fmt(contended.p50)} ms, p99 ${fmt(contended.p99)} ms, ${int(contendedRate)}/s`,
  );

  const bulkStart = process.hrtime.bigint();
  const bulkFrom = written;
  while (written < TOTAL) {
    const n = Math.min(1_000, TOTAL - written);
    await withTenant(db, { tenantId }, async (tx) => {
      for (let i = 0; i < n; i++) await appendAudit(tx, tenantId, sampleEntry(written++, random));
    });
  }
  const bulkRate = ((written - bulkFrom) / ms(bulkStart)) * 1000;
  log(`append, 1,000 per transaction: ${int(bulkRate)}/s (to ${int(written)} entries)`);
  const last = await withTenant(db, { tenantId }, (tx) => createCheckpoint(tx, tenantId));
  await owner.query('VACUUM ANALYZE "AuditEntry"');

  // CPU time of the owner connection's backend, read from /proc (PostgreSQL runs on this machine), in
  // ms; NaN where /proc cannot be read. Linux counts it in ticks of 1/100 s.
  const backendPid = (await owner.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
  const backendCpuMs = async () => {
    const stat = await readFile(`/proc/${backendPid}/stat`, "utf8").catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  const RUNS = 5;
  const verifyRuns = async (
    label: string,
    run: () => Promise<{ ok: boolean; checked: number }>,
    /** Whether the walk reads through the owner connection, whose backend's CPU time is measured. */
    ownerBackend: boolean,
  ) => {
    const rates: number[] = [];
    const cpu: { node: number; backend: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = process.hrtime.bigint();
      const nodeStart = process.cpuUsage();
      const backendStart = await backendCpuMs();
      const result = await run();
      const elapsed = ms(start);
      const nodeCpu = process.cpuUsage(nodeStart);
      cpu.push({
        node: (nodeCpu.user + nodeCpu.system) / 1000,
        backend: (await backendCpuMs()) - backendStart,
      });
      if (!result.ok || result.checked !== TOTAL)
        throw new Error(
          `${label}: verification failed ${JSON.stringify(result, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`,
        );
      rates.push((result.checked / elapsed) * 1000);
    }
    const sorted = [...rates].sort((a, b) => a - b);
    const best = sorted.at(-1) ?? Number.NaN;
    const median = percentile(sorted, 50);
    // Per entry, in µs: every thread of this process (workers included), and the backend.
    const nodeUs = (Math.min(...cpu.map((c) => c.node)) / TOTAL) * 1000;
    const backendUs = (Math.min(...cpu.map((c) => c.backend)) / TOTAL) * 1000;
    log(
      `verify ${label}: ${int(best)} entries/s (best of ${RUNS}, median ${int(median)}; ${rates.map(int).join(", ")}); ` +
        `CPU per entry: Node ${fmt(nodeUs, 1)} µs` +
        (ownerBackend ? `, PostgreSQL ${fmt(backendUs, 1)} µs` : ""),
    );
    return { best, median, nodeUs, backendUs };
  };
  const load = os.loadavg()[0] ?? Number.NaN;
  const viaPrisma = await verifyRuns(
    "through Prisma (app role, withTenant)",
    () => withTenant(db, { tenantId }, (tx) => verifyChain(tx, tenantId)),
    false,
  );
  const viaPg = await verifyRuns("through pg (owner connection)", () => verifyChain(owner, tenantId), true);
  const mainThread = await verifyRuns(
    "through pg, hashing on the main thread (workers: 0)",
    () => verifyChain(owner, tenantId, { workers: 0 }),
    true,
  );
  const workers = defaultWorkerCount();
  const tailStart = process.hrtime.bigint();
  const tail = await verifyChain(owner, tenantId, { from: last ?? undefined });
  const tailMs = ms(tailStart);
  log(`verify from the last checkpoint: ${tail.checked} entry in ${fmt(tailMs)} ms`);
  const checkpoints = Math.floor(TOTAL / env.AUDIT_CHECKPOINT_EVERY) + 1;

  const cpu =
    (await readFile("/proc/cpuinfo", "utf8").catch(() => "")).match(/^model name\s*:\s*(.+)$/m)?.[1] ??
    os.cpus()[0]?.model ??
    "unknown";
  const pgVersion = (await owner.query<{ v: string }>("SELECT version() AS v")).rows[0]?.v ?? "unknown";
  const section = `<!-- bench-audit:start -->
## Audit log (\`scripts/bench-audit.ts\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${os.availableParallelism()} CPUs (\`nproc\`), ${fmt(os.totalmem() / 2 ** 30, 1)} GiB memory, ${cpu};
Node ${process.version}; ${pgVersion.split(",")[0]} (${env.DATABASE_URL ? "the server from DATABASE_URL" : "embedded"}), on the same machine.

| what | result |
| --- | --- |
| append, one entry per transaction (2,000 sequential) | p50 ${fmt(alone.p50)} ms, p99 ${fmt(alone.p99)} ms |
| append, 8 concurrent appenders on one tenant (2,000 in all) | p50 ${fmt(contended.p50)} ms, p99 ${fmt(contended.p99)} ms; ${int(contendedRate)} entries/s |
| append, 1,000 entries per transaction | ${int(bulkRate)} entries/s |
| verify ${int(TOTAL)} entries (and ${int(checkpoints)} signed checkpoints) through the app's Prisma transaction | ${int(viaPrisma.best)} entries/s (median ${int(viaPrisma.median)}) |
| verify the same through a plain pg connection | ${int(viaPg.best)} entries/s (median ${int(viaPg.median)}) |
| verify the same through pg, hashing on the main thread only (\`workers: 0\`) | ${int(mainThread.best)} entries/s (median ${int(mainThread.median)}) |
| CPU per verified entry through pg, on workers / on the main thread only: this process (every thread) | ${fmt(viaPg.nodeUs, 1)} µs / ${fmt(mainThread.nodeUs, 1)} µs |
| the same, the PostgreSQL backend that builds the rows | ${fmt(viaPg.backendUs, 1)} µs / ${fmt(mainThread.backendUs, 1)} µs |
| verify from the last signed checkpoint | ${fmt(tailMs)} ms |

Append latency includes the whole \`withTenant\` transaction (BEGIN, tenant setting, advisory lock, head
read, insert, COMMIT). Verification reads 5,000 entries per query; PostgreSQL builds each entry as a
JSON array and the batch as one text, and the next batch is requested the moment one arrives. Each batch
is a segment checked on its own by one of ${workers} worker threads (\`server/kernel/audit/chain-segment.mjs\`),
given the seq and hash its first entry must follow (the last entry of the batch before): seq continuity,
links, sha256 of each entry's canonical JSON, and every trusted checkpoint at its seq. The results are
taken in seq order, so the first problem reported is the chain's first. Text columns are hashed as
PostgreSQL wrote them (its JSON string literals are JSON.stringify's), only \`detail\` is parsed and
written again. Every stored checkpoint's Ed25519 signature is checked on libuv's thread pool while the
first batch is read. Rates are the best and the median of ${RUNS} runs. The target is 100,000 entries/s.
On 2 cores the work to share is the CPU per entry above: hashing in Node, and PostgreSQL building the
rows in a single backend, which bounds any number of workers. Workers cost a little more CPU (each batch
is copied to them) and buy a main thread that stays free for other requests, and Node's share of the
second core when PostgreSQL and other processes leave some; on the main thread alone, Node's part is
one core's work. The machine's 1-minute load average when verification started was ${fmt(load, 1)}:
other processes (this bench's own appends just before, and anything else running) had part of the 2
cores. Verifying from the last held checkpoint reads only what was appended after it.
<!-- bench-audit:end -->`;
  console.log(`\n${section}\n`);
  if (!args["no-write"]) {
    log(`wrote ${await writeBenchmarkSection("audit", section)}`);
  }
} finally {
  await owner.end();
  await db.$disconnect();
  await database.close();
}

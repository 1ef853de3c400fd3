/**
 * Where `npm run bench:kernel`'s Tenet runs spend their database time: every query of the process's
 * pg clients timed while recording (wrapping pg.Client#query, as scripts/bench-engine.ts does, so
 * the kernel runs unchanged), sorted into the kernel's statements, and every wait for a pooled
 * connection (pg.Pool#connect). Also the CPU time of this database's PostgreSQL backends, from /proc.
 */
import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { timePgQueries } from "./bench-pg-queries";

type Timed = { kind: string; ms: number };

const queries: Timed[] = [];
const connectWaits: number[] = [];
let recording = false;

/** What a statement is, in the kernel's terms (the first statement of a multi-statement query decides). */
function kindOf(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  if (t.includes("pg_advisory_xact_lock(7359")) return "scheduler round: pool lock, reads";
  if (t === "BEGIN") return "BEGIN alone";
  if (t.startsWith("BEGIN")) return "BEGIN + tenant setting (+ first reads, chain lock)";
  if (t.startsWith("COMMIT")) return "COMMIT";
  if (t.startsWith("ROLLBACK")) return "ROLLBACK";
  if (t.startsWith("WITH granted AS")) return "scheduler round: grants";
  if (t.startsWith("WITH inserted AS ( INSERT INTO kernel.syscall"))
    return "scheduler round: write arrivals and finishes";
  if (t.startsWith("INSERT INTO kernel.syscall")) return "scheduler: enqueue";
  if (t.startsWith("WITH s AS ( UPDATE kernel.syscall SET state = $2")) return "scheduler: finish";
  if (t.startsWith("WITH s AS ( UPDATE kernel.syscall SET state = 'queued'"))
    return "scheduler: requeue after 429";
  if (t.includes('INSERT INTO "AuditEntry"')) return "audit: insert entries";
  if (t.includes("head_seq")) return "audit: chain head";
  if (t.includes('"ToolCall"')) return "tool broker: record the call";
  if (t.startsWith("SELECT queued_ms")) return "scheduler: read queue time";
  return "other";
}

const originalConnect: unknown = Reflect.get(pg.Pool.prototype, "connect");
if (typeof originalConnect !== "function") throw new Error("pg.Pool#connect is not a function");

timePgQueries(
  () => recording,
  (text, startedAt, endedAt) => {
    if (recording) queries.push({ kind: kindOf(text), ms: endedAt - startedAt });
  },
);

Object.defineProperty(pg.Pool.prototype, "connect", {
  configurable: true,
  writable: true,
  value: function timedConnect(this: pg.Pool, ...connectArgs: unknown[]): unknown {
    const result: unknown = Reflect.apply(originalConnect, this, connectArgs);
    if (recording && result instanceof Promise) {
      const start = performance.now();
      result.then(
        () => recording && connectWaits.push(performance.now() - start),
        () => undefined,
      );
    }
    return result;
  },
});

export function startRecording(): void {
  queries.length = 0;
  connectWaits.length = 0;
  recording = true;
}

export type DatabaseTime = {
  queries: number;
  commits: number;
  /** Per statement kind: how many, their median round trip, and their summed time. */
  kinds: { kind: string; count: number; p50: number; totalMs: number }[];
  connectWaits: number[];
};

export function stopRecording(): DatabaseTime {
  recording = false;
  const byKind = new Map<string, number[]>();
  for (const q of queries) byKind.set(q.kind, [...(byKind.get(q.kind) ?? []), q.ms]);
  const kinds = [...byKind].map(([kind, times]) => {
    const sorted = [...times].sort((a, b) => a - b);
    return {
      kind,
      count: times.length,
      p50: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
      totalMs: times.reduce((a, b) => a + b, 0),
    };
  });
  kinds.sort((a, b) => b.totalMs - a.totalMs);
  return {
    queries: queries.length,
    commits: byKind.get("COMMIT")?.length ?? 0,
    kinds,
    connectWaits: [...connectWaits],
  };
}

/** CPU time (ms) a process has used, from /proc (utime + stime); NaN where /proc cannot be read. */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  if (!stat) return Number.NaN;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Linux counts in ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time (ms) so far of every backend connected to the owner connection's database, by pid. */
export async function backendCpu(owner: pg.Client): Promise<Map<number, number>> {
  const { rows } = await owner.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()",
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = await processCpuMs(pid);
    if (Number.isFinite(ms)) cpu.set(pid, ms);
  }
  return cpu;
}

/** CPU the backends used between two readings (a backend opened in between counts from zero). */
export function backendCpuSince(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

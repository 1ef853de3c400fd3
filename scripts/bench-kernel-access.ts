/**
 * `npm run bench:kernel-access`: the access manager's numbers. (1) decision latency with a warm cache,
 * in process; (2) the syscall access+audit path through kernel.authorize on a throwaway database
 * (DATABASE_URL's server, else an embedded PostgreSQL): resolve the principal, check the access
 * version, decide, append the audit entry, commit; sequential latency and throughput with concurrent
 * callers; (3) a whole kernel.call with an in-process connector. Replaces the "Access manager"
 * section of docs/benchmarks.md.
 *
 *   npx tsx scripts/bench-kernel-access.ts [--seconds 5] [--no-write]
 */
import { randomBytes } from "node:crypto";

import os from "node:os";
import { parseArgs } from "node:util";
import { writeBenchmarkSection } from "./bench-report";

// Development derives the checkpoint key from AUTH_SECRET; a bare shell has neither.
if (!process.env.AUTH_SECRET && !process.env.AUDIT_SIGNING_KEY) {
  process.env.AUTH_SECRET = randomBytes(32).toString("base64url");
}
const { values: args } = parseArgs({
  options: { seconds: { type: "string", default: "5" }, "no-write": { type: "boolean", default: false } },
});
const SECONDS = Number(args.seconds);

// Imported after the environment is settled: server/env.js reads it once, on import.
const [
  { createPrismaClient, poolOf },
  { withTenant },
  { benchAgent, benchMember, benchTenant: createBenchTenant },
  { benchAccessDecisions },
  { Kernel },
  { Scheduler },
  { LocalProvider },
  { createToolRegistry, defineTool },
  { openThrowawayDatabase },
  { z },
] = await Promise.all([
  import("@/server/db/client"),
  import("@/server/db/scope"),
  import("./bench-tenant"),
  import("@/server/kernel/access/bench"),
  import("@/server/kernel/kernel"),
  import("@/server/kernel/scheduler/scheduler"),
  import("@/server/kernel/models"),
  import("@/server/kernel/tools/registry"),
  import("@/server/testing/throwaway-database"),
  import("zod"),
]);
type Syscall = import("@/server/kernel/kernel").Syscall;
type KernelContext = import("@/server/kernel/kernel").KernelContext;

const log = (line: string) => console.log(`[bench-kernel-access] ${line}`);
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
};
const fmt = (n: number, digits = 2) =>
  n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const int = (n: number) => Math.round(n).toLocaleString("en");

const decisions = benchAccessDecisions();

const database = await openThrowawayDatabase("tenet_bench_kernel");
const db = createPrismaClient(database.appUrl, { max: 10 });
const tools = createToolRegistry([
  defineTool({
    action: "facilities.room.book",
    connector: "bench-rooms",
    effect: "write",
    input: z.object({ roomId: z.string() }),
    output: z.object({ bookingId: z.string() }),
    timeoutMs: 5_000,
    run: (input) => Promise.resolve({ bookingId: `b-${input.roomId}` }),
  }),
]);
const scheduler = new Scheduler({ pool: poolOf(db) });
const kernel = new Kernel({
  db: () => db,
  tools,
  scheduler: () => scheduler,
  models: () => new LocalProvider(),
});

/** A tenant with an employee, an approver and an agent granted room booking; the syscall mix for it. */
async function benchTenant(n: number) {
  const tenant = await createBenchTenant(db, "bench", n);
  const { tenantId } = tenant;
  return tenant.asOwner(async (ctx) => {
    const employee = await benchMember(ctx.db, tenant, "employee", `employee ${n}`);
    await benchMember(ctx.db, tenant, "approver", `approver ${n}`);
    const agentId = await benchAgent(ctx, {
      name: "Bench agent",
      skillId: "bench",
      skillName: "Bench",
      actions: ["facilities.room.book"],
    });
    const user: KernelContext = { tenantId, principal: { type: "user", userId: employee } };
    const agent: KernelContext = {
      tenantId,
      principal: { type: "agent", agentId, actingForUserId: employee },
    };
    const room: Syscall = {
      action: "facilities.room.book",
      resource: { type: "Room", id: "r-1", attrs: {} },
      input: { roomId: "r-1" },
    };
    const mix: [KernelContext, Syscall][] = [
      [user, room], // allow
      [agent, room], // allow through a grant
      [
        user,
        {
          action: "finance.expense.approve",
          resource: { type: "Expense", id: "e-1", attrs: { submitterId: employee, amountCents: 5_000 } },
          input: {},
        },
      ], // deny: own expense
      [
        user,
        {
          action: "finance.expense.submit",
          resource: { type: "Expense", id: "e-2", attrs: { submitterId: employee, amountCents: 500_000 } },
          input: {},
        },
      ], // require approval
      [
        agent,
        {
          action: "hr.employee.offboard",
          resource: { type: "Employee", id: "x", attrs: { userId: employee } },
          input: {},
        },
      ], // deny: no grant
    ];
    return { mix, user, room };
  });
}

try {
  const tenants = await Promise.all([0, 1, 2, 3].map(benchTenant));
  const [maybeFirst] = tenants;
  if (!maybeFirst) throw new Error("no tenant");
  const first = maybeFirst;
  const authorizeOne = async (tenant: (typeof tenants)[number], i: number) => {
    const pick = tenant.mix[i % tenant.mix.length];
    if (!pick) throw new Error("empty mix");
    const start = process.hrtime.bigint();
    await kernel.authorize(pick[0], pick[1]);
    return ms(start);
  };

  for (let i = 0; i < 300; i++) await authorizeOne(tenants[i % tenants.length] ?? first, i); // warm-up
  const sequential: number[] = [];
  for (let i = 0; i < 2_000; i++) sequential.push(await authorizeOne(first, i));
  const alone = summary(sequential);
  log(`access+audit, one caller: p50 ${fmt(alone.p50)} ms, p99 ${fmt(alone.p99)} ms`);

  /** `callers` concurrent callers spread over `spread` tenants for SECONDS: syscalls/s and latency. */
  async function throughput(callers: number, spread: number) {
    const samples: number[] = [];
    const deadline = Date.now() + SECONDS * 1000;
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: callers }, async (_, c) => {
        const tenant = tenants[c % spread] ?? first;
        for (let i = c; Date.now() < deadline; i += callers) samples.push(await authorizeOne(tenant, i));
      }),
    );
    const rate = (samples.length / ms(start)) * 1000;
    const s = summary(samples);
    log(
      `access+audit, ${callers} callers over ${spread} tenant(s): ${int(rate)}/s, p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms`,
    );
    return { rate, ...s };
  }
  const oneTenant = await throughput(8, 1);
  const fourTenants = await throughput(8, 4);
  const manyOnOne = await throughput(32, 1);
  const manyOnFour = await throughput(32, 4);

  const calls: number[] = [];
  for (let i = 0; i < 1_000; i++) {
    const start = process.hrtime.bigint();
    const result = await kernel.call(first.user, first.room);
    if (result.status !== "succeeded") throw new Error(`bench call ${result.status}`);
    calls.push(ms(start));
  }
  const whole = summary(calls);
  log(
    `whole kernel.call (allowed, in-process connector): p50 ${fmt(whole.p50)} ms, p99 ${fmt(whole.p99)} ms`,
  );

  if (!args["no-write"]) {
    const cpu = os.cpus()[0]?.model.replace(/\s+/g, " ").trim() ?? "unknown CPU";
    const pgVersion = await withTenant(
      db,
      { tenantId: first.user.tenantId },
      (tx) => tx.$queryRaw<{ v: string }[]>`SELECT version() AS v`,
    );
    const section = `<!-- bench-kernel-access:start -->
## Access manager (\`npm run bench:kernel-access\`, \`scripts/bench-kernel-access.ts\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${os.availableParallelism()} CPUs (\`nproc\`), ${fmt(os.totalmem() / 2 ** 30, 1)} GiB memory, ${cpu};
Node ${process.version}; Cedar via \`@cedar-policy/cedar-wasm\` in process; ${pgVersion[0]?.v.split(",")[0] ?? "PostgreSQL"} on the same machine.

| what | result | target |
| --- | --- | --- |
| decision with a warm cache (default pack + 50 agent grants, ${int(decisions.decisions)} mixed allow / deny / require-approval requests) | p50 ${fmt(decisions.p50Ms, 3)} ms, p99 ${fmt(decisions.p99Ms, 3)} ms | ≤ 1 ms p50 |
| loading a tenant's policies (validate the pack + 50 grants, cold; each action's Cedar set is then parsed on its first decision) | ${fmt(decisions.setupMs, 0)} ms | — |
| syscall access+audit path (\`kernel.authorize\`), one caller | p50 ${fmt(alone.p50)} ms, p99 ${fmt(alone.p99)} ms | ≤ 2 ms p50 |
| the same, 8 concurrent callers on one tenant | ${int(oneTenant.rate)} syscalls/s (p50 ${fmt(oneTenant.p50)} ms, p99 ${fmt(oneTenant.p99)} ms) | ≥ 2,000/s |
| the same, 8 concurrent callers over 4 tenants | ${int(fourTenants.rate)} syscalls/s (p50 ${fmt(fourTenants.p50)} ms, p99 ${fmt(fourTenants.p99)} ms) | ≥ 2,000/s |
| the same, 32 concurrent callers on one tenant | ${int(manyOnOne.rate)} syscalls/s (p50 ${fmt(manyOnOne.p50)} ms, p99 ${fmt(manyOnOne.p99)} ms) | ≥ 2,000/s |
| the same, 32 concurrent callers over 4 tenants | ${int(manyOnFour.rate)} syscalls/s (p50 ${fmt(manyOnFour.p50)} ms, p99 ${fmt(manyOnFour.p99)} ms) | ≥ 2,000/s |
| whole \`kernel.call\` (allowed; in-process connector; decision and outcome entries) | p50 ${fmt(whole.p50)} ms, p99 ${fmt(whole.p99)} ms | — |

The access+audit path is one transaction on plain SQL (\`withTenantSql\`, the same connection pool
as Prisma) in three round trips: BEGIN, the tenant setting, the query for the members, agents and
access version the syscall names, and the tenant's chain lock and head, all in one; then the decision
in process (one Cedar evaluation per round of approval gates; the cached policy set is reloaded only
when the access version changed) and one INSERT of the hash-chained entry; then COMMIT. The mix is allow, allow through a grant, deny (self-approval), require
approval (large expense) and deny (agent without a grant), in turn. Concurrent syscalls of one tenant
are decided and audited together (group commit), so eight callers on one tenant share transactions;
spread over four tenants they share less and the batches are smaller.

**Throughput.** With 32 concurrent callers the path sustains ${int(manyOnOne.rate)}/s on one tenant and
${int(manyOnFour.rate)}/s over four (${manyOnOne.rate >= 2000 && manyOnFour.rate >= 2000 ? "meeting" : "against"} the 2,000/s target); with 8 callers it does not
(${int(oneTenant.rate)}/s and ${int(fourTenants.rate)}/s). With few callers the batches are small and
each costs a whole transaction (three round trips and a commit flush): in a sample of the 8-caller run
neither the Node process (about 45% of a core) nor PostgreSQL (about 40%) was saturated, and letting
two batches per tenant be in flight (one deciding while the other holds the chain lock) did not help.
More callers make bigger batches, which is the point of group commit; the price is latency (p50 above).
In the Node process
Cedar is about a third of the CPU, the pg driver and socket writes about a quarter, building, hashing
and redacting entries most of the rest. Numbers moved by about ±10% between runs on this machine.
<!-- bench-kernel-access:end -->`;
    log(`wrote ${await writeBenchmarkSection("kernel-access", section)}`);
  }
} finally {
  await scheduler.stop();
  await db.$disconnect();
  // Prisma's adapter leaves its pg pool open; idle connections would die noisily with the database.
  await poolOf(db).end();
  await database.close();
}

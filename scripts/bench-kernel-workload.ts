/**
 * The workload of `npm run bench:kernel` (scripts/bench-kernel.ts), shared by its three modes: the
 * ReAct-style agent loop, the tool it calls, what each syscall records, and the metrics computed from
 * those records. Nothing here knows which mode runs it: a mode is a `Backend`.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import type { ChatMessage, CompletionRequest } from "@/server/kernel/models/provider";

/** ReAct iterations per agent (one model call and one tool call each), then one model call for the answer. */
export const ITERATIONS = 3;
/** The most tokens a model call may generate; the mock answers with half of it to all of it. */
export const MAX_TOKENS = 80;
/** The tool's own latency: an upstream HTTP API answering, as a connector would wait for it. */
export const TOOL_LATENCY_MS = 10;

/** One agent: its tenant, its id, the member it acts for (whose employee record its tool reads). */
export type AgentSpec = { index: number; tenantId: string; agentId: string; actingForUserId: string };

/** What one syscall went through, as the agent and the backend saw it (performance.now() times). */
export type Sample = {
  agent: number;
  kind: "model" | "tool";
  /** The agent issued it. */
  issuedAt: number;
  /** The attempt that succeeded was sent to the model, or the tool began to run. */
  dispatchedAt: number;
  /** The agent had the result. */
  doneAt: number;
  /** Time inside the attempt that succeeded: the model's answer, the tool's run. */
  serviceMs: number;
  /** 429s the model server answered this syscall (every attempt that was refused). */
  rejected: number;
  /** Requests sent again after a 429. */
  retries: number;
  /** 429s the agent's own code saw (a direct caller sees every one). */
  reachedAgent: number;
  /** The syscall did not succeed (Tenet: a result other than succeeded). */
  failed: boolean;
  /** Tenet's model calls: the scheduler's timings. */
  queuedMs: number | null;
  overheadMs: number | null;
};

export type EmployeeLookup = { employeeId: string };
export type EmployeeRecord = { employeeId: string; title: string; team: string; manager: string };

/** The tool: look up an employee record in an HR system that answers in TOOL_LATENCY_MS. */
export async function lookupEmployee(input: EmployeeLookup): Promise<EmployeeRecord> {
  await delay(TOOL_LATENCY_MS);
  return { employeeId: input.employeeId, title: "Engineer", team: "Platform", manager: "m-1" };
}

/** How a mode serves an agent's syscalls; each fills in the sample's dispatch, service and 429 fields. */
export type Backend = {
  model(agent: AgentSpec, request: CompletionRequest, sample: Sample): Promise<string>;
  tool(agent: AgentSpec, input: EmployeeLookup, sample: Sample): Promise<unknown>;
};

export function newSample(agent: number, kind: Sample["kind"]): Sample {
  const now = performance.now();
  return {
    agent,
    kind,
    issuedAt: now,
    dispatchedAt: Number.NaN,
    doneAt: Number.NaN,
    serviceMs: Number.NaN,
    rejected: 0,
    retries: 0,
    reachedAgent: 0,
    failed: false,
    queuedMs: null,
    overheadMs: null,
  };
}

const SYSTEM =
  "You are an HR operations agent. Answer in the ReAct format: Thought, then Action with a tool call, " +
  "or Final Answer when you know enough. Tools: lookup_employee(employeeId).";

/**
 * One agent's ReAct loop: think (model call), act (tool call), observe, ITERATIONS times, then a
 * final model call for the answer. The transcript grows as it goes, as a real agent's prompt does.
 * When `signal` aborts (the run's time limit), the agent stops where it is; what it finished counts.
 */
export async function runAgent(
  agent: AgentSpec,
  backend: Backend,
  samples: Sample[],
  signal: AbortSignal,
): Promise<void> {
  try {
    await react(agent, backend, samples, signal);
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

async function react(agent: AgentSpec, backend: Backend, samples: Sample[], signal: AbortSignal) {
  const messages: ChatMessage[] = [
    { role: "system", content: SYSTEM },
    {
      role: "user",
      content: `Agent ${agent.index}: find out who manages employee ${agent.actingForUserId} and which team they are in.`,
    },
  ];
  const think = async () => {
    signal.throwIfAborted();
    const sample = newSample(agent.index, "model");
    const text = await backend.model(agent, { messages: [...messages], maxTokens: MAX_TOKENS }, sample);
    sample.doneAt = performance.now();
    samples.push(sample);
    messages.push({ role: "assistant", content: text });
  };
  for (let step = 0; step < ITERATIONS; step++) {
    await think();
    signal.throwIfAborted();
    const sample = newSample(agent.index, "tool");
    const observation = await backend.tool(agent, { employeeId: agent.actingForUserId }, sample);
    sample.doneAt = performance.now();
    samples.push(sample);
    messages.push({ role: "user", content: `Observation: ${JSON.stringify(observation)}` });
  }
  await think();
}

/** Nearest-rank percentile of sorted values (the same rule as the other benches). */
export const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

export type Percentiles = { p50: number; p90: number; p99: number; n: number };

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    n: sorted.length,
  };
}

/** Jain's fairness index, (Σx)² / (n·Σx²): 1 when all are equal, 1/n when one has everything. */
export function jain(values: readonly number[]): number {
  const sum = values.reduce((a, b) => a + b, 0);
  const squares = values.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}

export type RunMetrics = {
  totalMs: number;
  syscalls: number;
  modelCalls: number;
  syscallsPerSecond: number;
  wait: Percentiles;
  turnaround: Percentiles;
  modelWait: Percentiles;
  modelTurnaround: Percentiles;
  /** Retries after a 429 (sent again by the agent, the batcher or the scheduler). */
  retries: number;
  reachedAgents: number;
  failed: number;
  /** Jain's index over the agents' throughputs (syscalls / the agent's time from first issue to last result). */
  fairness: number;
};

/** The run's numbers; `startedAt` is when the agents were launched. */
export function metricsOf(samples: readonly Sample[], startedAt: number): RunMetrics {
  const end = Math.max(...samples.map((s) => s.doneAt));
  const totalMs = end - startedAt;
  const byAgent = new Map<number, { first: number; last: number; count: number }>();
  for (const s of samples) {
    const a = byAgent.get(s.agent) ?? { first: s.issuedAt, last: s.doneAt, count: 0 };
    a.first = Math.min(a.first, s.issuedAt);
    a.last = Math.max(a.last, s.doneAt);
    a.count++;
    byAgent.set(s.agent, a);
  }
  const agents = [...byAgent.values()];
  const model = samples.filter((s) => s.kind === "model");
  return {
    totalMs,
    syscalls: samples.length,
    modelCalls: model.length,
    syscallsPerSecond: (samples.length / totalMs) * 1000,
    wait: percentiles(samples.map((s) => s.dispatchedAt - s.issuedAt)),
    turnaround: percentiles(samples.map((s) => s.doneAt - s.issuedAt)),
    modelWait: percentiles(model.map((s) => s.dispatchedAt - s.issuedAt)),
    modelTurnaround: percentiles(model.map((s) => s.doneAt - s.issuedAt)),
    retries: samples.reduce((a, s) => a + s.retries, 0),
    reachedAgents: samples.reduce((a, s) => a + s.reachedAgent, 0),
    failed: samples.filter((s) => s.failed).length,
    fairness: jain(agents.map((a) => a.count / (a.last - a.first))),
  };
}

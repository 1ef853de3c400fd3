/**
 * Sync: the app registers its functions (POST /fn/register, docs/engine-protocol.md §2). The whole sync is
 * validated first and written in one transaction, so a bad function leaves the previous set in place, and
 * an option this engine does not implement is refused with a clear message instead of being ignored.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { type Conn, json } from "./db";
import { checkExpression } from "./expressions";
import { nextCronTime, parseCron, sleepUntil } from "./time";

/** Inngest's default when a function sets no `retries` (the SDK documents 3). */
export const DEFAULT_RETRIES = 3;

const concurrencyOption = z.object({
  limit: z.number().int().min(0),
  key: z.string().optional(),
  scope: z.enum(["fn", "env", "account"]).optional(),
});

/** A function as the SDK sends it; unknown keys pass through so that unsupported ones can be named. */
const functionConfig = z
  .object({
    id: z.string().min(1),
    name: z.string().optional(),
    triggers: z.array(
      z.union([
        z.object({ event: z.string().min(1), expression: z.string().optional() }),
        z.object({ cron: z.string().min(1), jitter: z.string().optional() }),
      ]),
    ),
    steps: z.record(
      z.string(),
      z.object({
        id: z.string(),
        name: z.string(),
        runtime: z.object({ type: z.string(), url: z.string() }),
        retries: z.object({ attempts: z.number().int().min(0).max(20).optional() }).optional(),
      }),
    ),
    idempotency: z.string().optional(),
    priority: z.object({ run: z.string().optional() }).optional(),
    concurrency: z
      .union([z.number().int().min(0), concurrencyOption, z.array(concurrencyOption).min(1).max(2)])
      .optional(),
    cancel: z
      .array(
        z.object({ event: z.string().min(1), if: z.string().optional(), timeout: z.string().optional() }),
      )
      .optional(),
  })
  .passthrough();
export type FunctionConfig = z.infer<typeof functionConfig>;

export const registerBody = z
  .object({
    url: z.url(),
    appName: z.string().min(1),
    sdk: z.string().optional(),
    framework: z.string().optional(),
    functions: z.array(z.unknown()),
  })
  .passthrough();

/** Flow-control options Inngest has and this engine does not implement yet (README: "not yet supported"). */
export const UNSUPPORTED_OPTIONS = [
  "throttle",
  "rateLimit",
  "debounce",
  "batchEvents",
  "singleton",
  "timeouts",
];

export type ConcurrencyRule = { limit: number; key?: string; scope: "fn" | "env" | "account" };

export function concurrencyRules(config: FunctionConfig): ConcurrencyRule[] {
  const c = config.concurrency;
  if (c === undefined) return [];
  const list = typeof c === "number" ? [{ limit: c }] : Array.isArray(c) ? c : [c];
  // A limit of 0 means "no limit" in Inngest.
  return list.filter((r) => r.limit > 0).map((r) => ({ limit: r.limit, key: r.key, scope: r.scope ?? "fn" }));
}

export type ParsedFunction = {
  id: string;
  name: string;
  url: string;
  maxAttempts: number;
  config: FunctionConfig;
};

/** Validates one function; returns its problems (empty when it can be registered). */
function problemsOf(config: FunctionConfig): string[] {
  const problems: string[] = [];
  const label = `Function "${config.id}"`;
  for (const option of UNSUPPORTED_OPTIONS) {
    if (option in config) {
      problems.push(
        `${label} uses "${option}", which Tenet's engine does not support yet (supported: concurrency, priority, idempotency, cancelOn, retries, onFailure). Remove it or run the app against Inngest itself.`,
      );
    }
  }
  const step = config.steps.step;
  if (!step) problems.push(`${label} has no "step" entry to call`);
  else if (step.runtime.type !== "http")
    problems.push(`${label} uses the "${step.runtime.type}" runtime; only "http" is supported`);
  else if (!URL.canParse(step.runtime.url)) problems.push(`${label} has an invalid runtime URL`);
  const expressions: [string, string | undefined][] = [
    ["idempotency", config.idempotency],
    ["priority.run", config.priority?.run],
    ...config.triggers.map((t, i): [string, string | undefined] => [
      `triggers[${i}].expression`,
      "event" in t ? t.expression : undefined,
    ]),
    ...concurrencyRules(config).map((r, i): [string, string | undefined] => [`concurrency[${i}].key`, r.key]),
    ...(config.cancel ?? []).map((c, i): [string, string | undefined] => [`cancel[${i}].if`, c.if]),
  ];
  for (const [where, source] of expressions) {
    const problem = source === undefined ? null : checkExpression(source);
    if (problem) problems.push(`${label}: ${where}: ${problem}`);
  }
  for (const [i, t] of config.triggers.entries()) {
    if (!("cron" in t)) continue;
    try {
      parseCron(t.cron);
    } catch (error) {
      problems.push(
        `${label}: triggers[${i}].cron: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  for (const [i, c] of (config.cancel ?? []).entries()) {
    if (c.timeout !== undefined && sleepUntil(c.timeout, new Date()) === null) {
      problems.push(`${label}: cancel[${i}].timeout "${c.timeout}" is not a duration`);
    }
  }
  return problems;
}

export type SyncResult = { ok: true; modified: boolean; functions: number } | { ok: false; error: string };

/** Parses and validates a registration body; writes nothing. */
export function parseRegistration(body: unknown):
  | {
      ok: true;
      appId: string;
      url: string;
      sdk?: string;
      framework?: string;
      functions: ParsedFunction[];
      checksum: string;
    }
  | { ok: false; error: string } {
  const parsed = registerBody.safeParse(body);
  if (!parsed.success) return { ok: false, error: `Invalid registration: ${z.prettifyError(parsed.error)}` };
  const functions: ParsedFunction[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of parsed.data.functions.entries()) {
    const f = functionConfig.safeParse(raw);
    if (!f.success) {
      problems.push(`functions[${i}]: ${z.prettifyError(f.error)}`);
      continue;
    }
    if (seen.has(f.data.id)) problems.push(`Function "${f.data.id}" is declared twice`);
    seen.add(f.data.id);
    problems.push(...problemsOf(f.data));
    const step = f.data.steps.step;
    if (!step) continue;
    functions.push({
      id: f.data.id,
      name: f.data.name ?? f.data.id,
      url: step.runtime.url,
      maxAttempts: (step.retries?.attempts ?? DEFAULT_RETRIES) + 1,
      config: f.data,
    });
  }
  if (problems.length > 0) return { ok: false, error: problems.join("\n") };
  const checksum = createHash("sha256").update(JSON.stringify(parsed.data.functions)).digest("hex");
  return {
    ok: true,
    appId: parsed.data.appName,
    url: parsed.data.url,
    sdk: parsed.data.sdk,
    framework: parsed.data.framework,
    functions,
    checksum,
  };
}

/** Stores a sync: the app, its functions, triggers and cron schedules; drops functions it no longer has. */
export async function register(c: Conn, body: unknown, now = new Date()): Promise<SyncResult> {
  const reg = parseRegistration(body);
  if (!reg.ok) return reg;
  const previous = await c.query<{ checksum: string }>(
    "SELECT checksum FROM engine.app WHERE id = $1 FOR UPDATE",
    [reg.appId],
  );
  const modified = previous.rows[0]?.checksum !== reg.checksum;
  await c.query(
    `INSERT INTO engine.app (id, url, sdk, framework, checksum) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET url = $2, sdk = $3, framework = $4, checksum = $5, synced_at = now()`,
    [reg.appId, reg.url, reg.sdk ?? null, reg.framework ?? null, reg.checksum],
  );
  const ids = reg.functions.map((f) => f.id);
  await c.query("DELETE FROM engine.function WHERE app_id = $1 AND NOT (id = ANY($2::text[]))", [
    reg.appId,
    ids,
  ]);
  for (const f of reg.functions) {
    await c.query(
      `INSERT INTO engine.function (id, app_id, name, url, config, max_attempts) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET app_id = $2, name = $3, url = $4, config = $5, max_attempts = $6, updated_at = now()`,
      [f.id, reg.appId, f.name, f.url, json(f.config), f.maxAttempts],
    );
    await c.query("DELETE FROM engine.trigger WHERE function_id = $1", [f.id]);
    const crons = new Map<number, string>();
    for (const [position, t] of f.config.triggers.entries()) {
      if ("cron" in t) {
        crons.set(position, t.cron);
        continue;
      }
      const wildcard = t.event.endsWith("*");
      await c.query(
        "INSERT INTO engine.trigger (function_id, position, event_name, wildcard, expression) VALUES ($1, $2, $3, $4, $5)",
        [f.id, position, wildcard ? t.event.slice(0, -1) : t.event, wildcard, t.expression ?? null],
      );
    }
    // A schedule that did not change keeps its next fire time; a new or changed one starts from now.
    const kept = await c.query<{ position: number; schedule: string }>(
      "SELECT position, schedule FROM engine.cron WHERE function_id = $1",
      [f.id],
    );
    for (const row of kept.rows) {
      if (crons.get(row.position) !== row.schedule) {
        await c.query("DELETE FROM engine.cron WHERE function_id = $1 AND position = $2", [
          f.id,
          row.position,
        ]);
      } else crons.delete(row.position);
    }
    for (const [position, schedule] of crons) {
      await c.query(
        "INSERT INTO engine.cron (function_id, position, schedule, next_at) VALUES ($1, $2, $3, $4)",
        [f.id, position, schedule, nextCronTime(schedule, now)],
      );
    }
  }
  return { ok: true, modified, functions: reg.functions.length };
}

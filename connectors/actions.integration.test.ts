/**
 * Every action of every installed connector (connectors/index.ts), plus a small connector of this
 * test's own so that it asserts something whatever is installed, refuses bad input through the
 * kernel: `{}`, `null` and an input of the wrong types each get a failed syscall that names the
 * schema's problem (kernel.call) and a BAD_REQUEST (kernel.preview), and no driver is reached. And
 * nothing is written: the exact row count of every table in every schema of a database of the test's
 * own is the same before and after, except the audit log's tables ("AuditEntry", "AuditCheckpoint"),
 * because every refusal is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { savePolicies } from "@/server/kernel/access/policies";
import { resourceFor } from "@/server/kernel/access/fixtures";
import { AccessEvaluator } from "@/server/kernel/access/evaluator";
import { ACTION_INFO, ACTION_NAMES, type ActionName } from "@/server/kernel/access/schema";
import { Kernel, type KernelContext, type Syscall } from "@/server/kernel/kernel";
import type { PrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import {
  createIsolatedDatabase,
  createTestTenant,
  kernelDeps,
  withOwner,
  type TestTenant,
} from "@/server/testing/fixtures";
import type { AnyConnectorManifest } from "./catalog";
import { CONNECTOR_MANIFESTS } from "./catalog";
import {
  buildToolRegistry,
  CONNECTORS,
  connector,
  installedTools,
  type AnyRegisteredConnector,
} from "./index";
import { defineAction, defineDriver, defineManifest, type AnyActionSpec } from "./sdk";

/** Tables a refused syscall still writes: its refusal is audited. */
const AUDIT_TABLES = new Set(["public.AuditEntry", "public.AuditCheckpoint"]);

/** This test's own connector, on actions no installed connector provides (if any are left). */
const reachedDriver: string[] = [];
const free = ACTION_NAMES.filter((action) => installedTools.find(action) === undefined);
const ownActions: ActionName[] = [
  ...free.filter((a) => ACTION_INFO[a].effect === "read").slice(0, 1),
  ...free.filter((a) => ACTION_INFO[a].effect !== "read").slice(0, 1),
];
const strictInput = z.object({
  email: z.email(),
  count: z.number().int().positive(),
  tags: z.array(z.string()),
});
const specs: Record<string, AnyActionSpec> = Object.fromEntries(
  ownActions.map((action) => [
    action,
    defineAction({
      action,
      title: `Test ${action}`,
      effect: ACTION_INFO[action].effect,
      input: strictInput,
      output: z.object({ ok: z.boolean() }),
      reversible: false,
      scopes: [],
      timeoutMs: 5_000,
      describe: (input) => `${action} for ${input.email}`,
    }),
  ]),
);
const own = defineManifest({
  id: "kt-inputs",
  version: "1.0.0",
  name: "Input checks",
  category: "integration",
  description: "Refuses bad input",
  auth: {
    type: "api_key",
    credentials: z.object({ apiKey: z.string() }),
    config: z.object({}),
  },
  actions: specs,
});
const ownDriver = defineDriver(
  own,
  Object.fromEntries(
    ownActions.map((action) => [
      action,
      {
        run: () => {
          reachedDriver.push(action);
          return Promise.resolve({ ok: true });
        },
        dryRun: () => {
          reachedDriver.push(`${action} (dry run)`);
          return Promise.resolve({ changes: [], warnings: [] });
        },
      },
    ]),
  ),
);

const registered: Record<string, AnyRegisteredConnector> = { ...CONNECTORS };
const catalog: Record<string, AnyConnectorManifest> = { ...CONNECTOR_MANIFESTS };
if (ownActions.length > 0) {
  registered[own.id] = connector(own, ownDriver);
  catalog[own.id] = own;
}
const tools = buildToolRegistry(registered, catalog);

/** An input whose every declared field has the wrong type (or a value of the wrong type altogether). */
function wrongTyped(schema: z.ZodType): unknown {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  const wrongFor = (type: unknown): unknown =>
    type === "string"
      ? 12345
      : type === "number" || type === "integer"
        ? "12345"
        : type === "boolean"
          ? "yes"
          : type === "array"
            ? "a list"
            : 7;
  const properties = json.properties ?? {};
  const candidates: unknown[] = [
    ...(Object.keys(properties).length > 0
      ? [
          Object.fromEntries(
            Object.entries(properties).map(([key, property]) => [
              key,
              typeof property === "object" ? wrongFor(property.type) : 7,
            ]),
          ),
        ]
      : []),
    12345,
    "wrong",
    [],
  ];
  const refused = candidates.find((candidate) => !schema.safeParse(candidate).success);
  if (refused === undefined) throw new Error("the schema accepts inputs of every type");
  return refused;
}

/** Every table of every non-system schema with its exact row count, read as the database owner. */
async function rowCounts(ownerUrl: string): Promise<Record<string, number>> {
  return withOwner(async (client) => {
    const { rows } = await client.query<{ schema: string; table: string }>(
      `SELECT table_schema AS schema, table_name AS "table" FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
          AND table_schema NOT LIKE 'pg\\_%'
        ORDER BY 1, 2`,
    );
    const counts: Record<string, number> = {};
    for (const { schema, table } of rows) {
      const name = `${schema}.${table}`;
      if (AUDIT_TABLES.has(name)) continue;
      const quoted = `"${schema.replaceAll('"', '""')}"."${table.replaceAll('"', '""')}"`;
      const [row] = (await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoted}`)).rows;
      counts[name] = Number(row?.n);
    }
    return counts;
  }, ownerUrl);
}

let iso: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let tenant: TestTenant;
let kernel: Kernel;
let ctx: KernelContext;

const actions = tools.actions().sort();
type Case = { action: ActionName; kind: string; input: unknown };
const cases = actions.flatMap((action): Case[] => {
  const tool = tools.find(action);
  if (!tool) return [];
  const empty: Case[] = tool.input.safeParse({}).success ? [] : [{ action, kind: "{}", input: {} }];
  return [
    ...empty,
    { action, kind: "null", input: null },
    { action, kind: "wrong types", input: wrongTyped(tool.input) },
  ];
});

beforeAll(async () => {
  iso = await createIsolatedDatabase();
  const db = (): PrismaClient => iso.db;
  tenant = await createTestTenant(iso.db, "inputs");
  // Every syscall allowed: what is tested here is the input check behind the access decision.
  const current = await withTenant(iso.db, { tenantId: tenant.id }, (tx) =>
    tx.policyVersion.findFirstOrThrow({ where: { tenantId: tenant.id }, orderBy: { version: "desc" } }),
  );
  await tenant.asOwner((owner) =>
    savePolicies(owner, {
      text: `@id("allow-all")\npermit (principal, action, resource);\n`,
      summary: "Allow everything, to reach the input checks",
      baseVersion: current.version,
    }),
  );
  kernel = new Kernel({ db, tools, evaluator: new AccessEvaluator(), ...kernelDeps(db) });
  ctx = { tenantId: tenant.id, principal: { type: "user", userId: tenant.owner.userId } };
}, 60_000);

afterAll(async () => {
  await iso?.close();
});

describe("bad input, for every action of every connector", () => {
  it("covers the installed connectors' actions and this test's own", () => {
    expect(actions.length).toBeGreaterThan(0);
    expect(actions).toEqual(expect.arrayContaining([...installedTools.actions(), ...ownActions]));
    // An action whose input may be empty is exempt from the `{}` case only.
    for (const action of actions)
      expect(cases.filter((c) => c.action === action).length).toBeGreaterThanOrEqual(2);
  });

  it("is refused by kernel.call and kernel.preview, reaches no driver, and writes nothing but the audit log", async () => {
    const before = await rowCounts(iso.ownerUrl);
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining(["public.ToolCall", "public.Connection", "kernel.pool", "public.Tenant"]),
    );
    for (const { action, kind, input } of cases) {
      const tool = tools.find(action);
      const parsed = tool?.input.safeParse(input);
      if (!parsed || parsed.success) throw new Error(`${action} accepts ${kind}`);
      const [issue] = parsed.error.issues;
      const syscall: Syscall = { action, resource: resourceFor(action, tenant.owner.userId), input };
      const label = `${action} with ${kind}`;

      const result = await kernel.call(ctx, syscall);
      expect(result, label).toMatchObject({ status: "failed" });
      const error = result.status === "failed" ? result.error : "";
      expect(error, label).toContain(`Invalid input for ${action}`);
      expect(error, label).toContain(issue?.message ?? "");
      for (const key of issue?.path ?? []) expect(error, label).toContain(String(key));

      const refusal = await kernel.preview(ctx, syscall).catch((e: unknown) => e);
      expect(refusal, label).toBeInstanceOf(AppError);
      expect(refusal, label).toMatchObject({ code: "BAD_REQUEST" });
      expect(refusal instanceof AppError ? refusal.message : "", label).toContain(issue?.message ?? "");
    }
    expect(reachedDriver).toEqual([]);
    expect(await rowCounts(iso.ownerUrl)).toEqual(before);
  }, 120_000);
});

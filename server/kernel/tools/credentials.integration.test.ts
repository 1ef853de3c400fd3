/**
 * Credentials never leak. A connector of this test's own that takes a connection, and whose driver
 * misbehaves on purpose: it succeeds, fails with an error quoting its credentials, returns them in
 * its output, quotes them in a dry run's changes and warnings, and its connection test throws (or
 * answers) quoting them. Each connection has random secrets. After calls (coordinated and not, with
 * a replay), previews and connection tests, the secrets appear nowhere: not in the audit log (every
 * column), not in "ToolCall", not in "Connection" (but for the encrypted `credentials` column), not
 * in any other row of the database, not in what the kernel returned or threw, and not in anything
 * written to the console, stdout or stderr while it ran.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { createConnection } from "@/server/connections/connections";
import { AccessEvaluator } from "@/server/kernel/access/evaluator";
import { createTestTenant, kernelDeps, testDb, withOwner, type TestTenant } from "@/server/testing/fixtures";
import { Kernel, type KernelContext, type Syscall } from "../kernel";
import { REDACTED } from "./redact";
import { createToolRegistry, defineTool, type ToolCallContext } from "./registry";

const modes = z.enum(["succeed", "fail-quoting", "return-secret"]);

const credentialsOf = (ctx: ToolCallContext) => {
  const { apiKey = "", password = "" } = ctx.connection?.credentials ?? {};
  return { apiKey, password };
};

const secretOutput = z.object({
  mode: z.string(),
  token: z.string().optional(),
  note: z.string().optional(),
});

/** The same driver behind a plain action and one the broker coordinates (a parallel limit). */
const misbehaving = {
  connector: "kt-secrets",
  needsConnection: true,
  input: z.object({ mode: modes }),
  output: secretOutput,
  timeoutMs: 5_000,
  run: (input: { mode: z.infer<typeof modes> }, ctx: ToolCallContext) => {
    const { apiKey, password } = credentialsOf(ctx);
    if (input.mode === "fail-quoting")
      return Promise.reject(new Error(`The service refused key ${apiKey} (password ${password})`));
    if (input.mode === "return-secret")
      return Promise.resolve({ mode: input.mode, token: apiKey, note: `signed with ${password}` });
    return Promise.resolve({ mode: input.mode });
  },
};

const tools = createToolRegistry(
  [
    defineTool({ ...misbehaving, action: "it.account.read", effect: "read" }),
    defineTool({
      ...misbehaving,
      action: "http.send",
      effect: "write",
      maxParallel: 2,
      dryRun: (input, ctx) => {
        const { apiKey, password } = credentialsOf(ctx);
        if (input.mode === "fail-quoting")
          return Promise.reject(new Error(`Could not sign in with ${apiKey}:${password}`));
        return Promise.resolve({
          changes: [
            {
              op: "update",
              object: `token ${apiKey}`,
              fields: { [password]: { from: apiKey, to: password } },
            },
          ],
          warnings: [`Uses ${apiKey}`],
        });
      },
    }),
  ],
  [
    {
      id: "kt-secrets",
      test: (ctx) => {
        const { apiKey, password } = credentialsOf(ctx);
        if (ctx.connection?.config.fails === true)
          return Promise.reject(new Error(`401 for ${apiKey} / ${password}`));
        return Promise.resolve(`Signed in with ${apiKey}`);
      },
    },
  ],
);

const kernel = new Kernel({ db: testDb, tools, evaluator: new AccessEvaluator(), ...kernelDeps() });

const secret = (label: string) => `${label}-${randomBytes(18).toString("base64url")}`;
const connections = [
  { apiKey: secret("sk"), password: secret("pw"), fails: false },
  { apiKey: secret("sk"), password: secret("pw"), fails: true },
];
const SECRETS = connections.flatMap((c) => [c.apiKey, c.password]);

let acme: TestTenant;
let ctx: KernelContext;
const connectionIds: string[] = [];

/** Everything the kernel handed back or threw, and everything written to the console or streams. */
const returned: unknown[] = [];
const thrown: unknown[] = [];
const printed: string[] = [];
const text = (value: unknown) =>
  typeof value === "string"
    ? value
    : value instanceof Error
      ? `${value.message}\n${value.stack}`
      : JSON.stringify(value);

const captured = <T>(work: () => Promise<T>) =>
  work().then(
    (value) => {
      returned.push(value);
      return value;
    },
    (error: unknown) => {
      thrown.push(error);
      throw error;
    },
  );

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  ctx = { tenantId: acme.id, principal: { type: "user", userId: acme.owner.userId } };
  for (const [index, c] of connections.entries()) {
    const view = await acme.asOwner((owner) =>
      createConnection(
        owner,
        {
          connectorId: "kt-secrets",
          name: `Secrets ${index}`,
          credentials: { apiKey: c.apiKey, password: c.password },
          config: { fails: c.fails },
        },
        {
          credentials: z.object({ apiKey: z.string(), password: z.string() }),
          config: z.object({ fails: z.boolean() }),
        },
      ),
    );
    connectionIds.push(view.id);
  }
  for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed.push(args.map(text).join(" "));
    });
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      printed.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const [encoding, callback] = rest;
      return typeof encoding === "function"
        ? write(chunk, encoding as (error?: Error | null) => void)
        : write(chunk, encoding as BufferEncoding, callback as (error?: Error | null) => void);
    });
  }
});

afterAll(() => {
  vi.restoreAllMocks();
});

const send = (mode: z.infer<typeof modes>, connectionId: string, idempotencyKey?: string): Syscall => ({
  action: "http.send",
  resource: { type: "HttpEndpoint", id: "api", attrs: { host: "api.example.com" } },
  input: { mode },
  connectionId,
  ...(idempotencyKey && { idempotencyKey }),
});
const read = (mode: z.infer<typeof modes>, connectionId: string): Syscall => ({
  action: "it.account.read",
  resource: { type: "AppAccess", id: "a-1", attrs: { userId: acme.owner.userId, app: "secrets" } },
  input: { mode },
  connectionId,
});

describe("credentials never leak", () => {
  it("out of calls, previews and connection tests, into the database, the results or the console", async () => {
    const [first = "", second = ""] = connectionIds;

    // Calls: uncoordinated (read) and coordinated (write with a parallel limit, idempotency keys).
    expect(await captured(() => kernel.call(ctx, read("succeed", first)))).toMatchObject({
      status: "succeeded",
    });
    const failed = await captured(() => kernel.call(ctx, read("fail-quoting", first)));
    expect(failed).toMatchObject({ status: "failed", error: expect.stringContaining(REDACTED) as string });
    const leaked = await captured(() => kernel.call(ctx, read("return-secret", first)));
    expect(leaked).toMatchObject({
      status: "succeeded",
      output: { token: REDACTED, note: `signed with ${REDACTED}` },
    });
    expect(await captured(() => kernel.call(ctx, send("fail-quoting", first, "k-1")))).toMatchObject({
      status: "failed",
    });
    await captured(() => kernel.call(ctx, send("return-secret", first, "k-2")));
    const replay = await captured(() => kernel.call(ctx, send("return-secret", first, "k-2")));
    expect(replay).toMatchObject({ status: "succeeded", replayed: true, output: { token: REDACTED } });

    // Previews: a dry run that quotes the credentials in its changes and warnings, and one that throws.
    const preview = await captured(() => kernel.preview(ctx, send("succeed", first)));
    expect(preview.changes).toEqual([
      { op: "update", object: `token ${REDACTED}`, fields: { [REDACTED]: { from: REDACTED, to: REDACTED } } },
    ]);
    expect(preview.warnings).toEqual([`Uses ${REDACTED}`]);
    const failing = await captured(() => kernel.preview(ctx, send("fail-quoting", second)));
    expect(failing.warnings).toEqual([
      `Could not preview the changes: Could not sign in with ${REDACTED}:${REDACTED}`,
    ]);

    // Connection tests: one answers quoting its key, the other throws quoting both.
    expect(
      await captured(() =>
        kernel.testConnection({ ...ctx, principal: { type: "user", userId: acme.owner.userId } }, first),
      ),
    ).toEqual({
      ok: true,
      message: `Signed in with ${REDACTED}`,
    });
    expect(
      await captured(() =>
        kernel.testConnection({ ...ctx, principal: { type: "user", userId: acme.owner.userId } }, second),
      ),
    ).toEqual({
      ok: false,
      message: `401 for ${REDACTED} / ${REDACTED}`,
    });

    // A bad connection id still throws nothing that could carry a secret.
    await captured(() => kernel.preview(ctx, send("succeed", "not-a-connection"))).catch(() => undefined);
    expect(thrown.length).toBe(1);

    const found = await withOwner(async (client) => {
      const tenantRows = async (query: string) =>
        (await client.query<{ row: string }>(query, [acme.id])).rows.map((r) => r.row);
      const audit = await tenantRows(`SELECT t::text AS row FROM "AuditEntry" t WHERE "tenantId" = $1::uuid`);
      const toolCalls = await tenantRows(
        `SELECT t::text AS row FROM "ToolCall" t WHERE "tenantId" = $1::uuid`,
      );
      const connectionRows = await tenantRows(
        `SELECT (to_jsonb(t) - 'credentials')::text AS row FROM "Connection" t WHERE "tenantId" = $1::uuid`,
      );
      // And every other table of every schema, whole rows as text.
      const { rows: tables } = await client.query<{ name: string }>(
        `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
          WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
            AND NOT (table_schema = 'public' AND table_name = 'Connection')`,
      );
      const elsewhere: string[] = [];
      for (const { name } of tables)
        for (const needle of SECRETS) {
          const { rows } = await client.query<{ n: string }>(
            `SELECT count(*)::text AS n FROM ${name} t WHERE strpos(t::text, $1) > 0`,
            [needle],
          );
          if (rows[0]?.n !== "0") elsewhere.push(name);
        }
      return { audit, toolCalls, connectionRows, elsewhere };
    });
    // The scan is not vacuous: the calls, previews and tests above were all recorded.
    expect(found.audit.join("\n")).toContain("connection.tested");
    expect(found.audit.join("\n")).toContain("syscall.previewed");
    expect(found.toolCalls.join("\n")).toContain(REDACTED);
    expect(found.connectionRows).toHaveLength(2);

    const haystacks = {
      audit: found.audit.join("\n"),
      toolCalls: found.toolCalls.join("\n"),
      connections: found.connectionRows.join("\n"),
      returned: returned.map(text).join("\n"),
      thrown: thrown.map(text).join("\n"),
      printed: printed.join(""),
    };
    for (const needle of SECRETS) {
      for (const [where, haystack] of Object.entries(haystacks))
        expect(haystack.includes(needle), `${where}`).toBe(false);
    }
    expect(found.elsewhere).toEqual([]);
  }, 60_000);
});

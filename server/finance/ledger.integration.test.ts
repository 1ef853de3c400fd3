import { randomUUID } from "node:crypto";
import pg from "pg";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { AppError } from "@/server/errors";
import { createTestTenant, testDb, withOwner, type TestTenant } from "@/server/testing/fixtures";
import type { TenantContext } from "@/server/tenancy/context";
import {
  accountBalances,
  checkBudget,
  costCenterSpend,
  createCostCenter,
  createLedgerAccount,
  ledgerCsv,
  ledgerRefusal,
  postEntry,
  reverseEntry,
  type PostEntryInput,
  trialBalance,
} from "./ledger";

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

/** Plain SQL as the app role, in one transaction scoped to `tenantId`, as any app code could send it. */
async function asAppRole(tenantId: string, statements: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: inject("appUrl") });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
    await statements(client);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

const sqlStateOf = (error: unknown) =>
  error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : null;

async function sqlError(promise: Promise<unknown>): Promise<{ code: string | null; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { code: sqlStateOf(error), message: error instanceof Error ? error.message : String(error) };
  }
  throw new Error("expected the database to refuse");
}

const entryCount = (tenantId: string) =>
  withOwner(async (client) => {
    const { rows } = await client.query<{ entries: number; lines: number }>(
      `SELECT (SELECT count(*)::int FROM "JournalEntry" WHERE "tenantId" = $1) AS entries,
              (SELECT count(*)::int FROM "JournalLine" WHERE "tenantId" = $1) AS lines`,
      [tenantId],
    );
    return rows[0];
  });

type Books = { cash: string; rent: string; travel: string; euros: string; engineering: string };

async function openBooks(tenant: TestTenant): Promise<Books> {
  return tenant.asOwner(async (ctx) => {
    const cash = await createLedgerAccount(ctx, {
      code: "1000",
      name: "Cash",
      type: "asset",
      currency: "USD",
    });
    const rent = await createLedgerAccount(ctx, {
      code: "6100",
      name: "Rent",
      type: "expense",
      currency: "USD",
    });
    const travel = await createLedgerAccount(ctx, {
      code: "6200",
      name: "Travel",
      type: "expense",
      currency: "USD",
    });
    const euros = await createLedgerAccount(ctx, {
      code: "1010",
      name: "Cash EUR",
      type: "asset",
      currency: "EUR",
    });
    const engineering = await createCostCenter(ctx, {
      code: "ENG",
      name: "Engineering",
      annualBudgetCents: 100_000n,
      fiscalYear: 2026,
    });
    return { cash: cash.id, rent: rent.id, travel: travel.id, euros: euros.id, engineering: engineering.id };
  });
}

describe("ledger", () => {
  let acme: TestTenant;
  let globex: TestTenant;
  let books: Books;
  let globexBooks: Books;

  beforeAll(async () => {
    acme = await createTestTenant(testDb(), "ledger-acme");
    globex = await createTestTenant(testDb(), "ledger-globex");
    books = await openBooks(acme);
    globexBooks = await openBooks(globex);
  });

  const rentEntry = (b: Books, cents: bigint, memo = "Office rent") => ({
    date: "2026-03-01",
    memo,
    source: "expense:rent-march",
    lines: [
      { accountId: b.rent, costCenterId: b.engineering, debitCents: cents },
      { accountId: b.cash, creditCents: cents },
    ],
  });

  describe("the database", () => {
    it("refuses, at commit, an unbalanced entry written with plain SQL by the app role", async () => {
      const tenant = await createTestTenant(testDb(), "ledger-raw");
      const b = await openBooks(tenant);
      const before = await entryCount(tenant.id);
      let insertsAccepted = false;
      const refusal = await sqlError(
        asAppRole(tenant.id, async (client) => {
          const { rows } = await client.query<{ id: string }>(
            `INSERT INTO "JournalEntry" (id, "tenantId", date, memo, "lineCount", "postedById")
             VALUES (gen_random_uuid(), $1, '2026-03-01', 'Unbalanced', 2, $2) RETURNING id`,
            [tenant.id, tenant.owner.userId],
          );
          const entryId = rows[0]?.id;
          await client.query(
            `INSERT INTO "JournalLine" (id, "tenantId", "entryId", "lineNo", "accountId", "debitCents", "creditCents")
             VALUES (gen_random_uuid(), $1, $2, 1, $3, 500, 0), (gen_random_uuid(), $1, $2, 2, $4, 0, 400)`,
            [tenant.id, entryId, b.rent, b.cash],
          );
          // Each statement was accepted: only the commit, seeing the whole entry, refuses it.
          insertsAccepted = true;
        }),
      );
      expect(insertsAccepted).toBe(true);
      expect(refusal.code).toBe("LG001");
      expect(refusal.message).toMatch(/does not balance/);
      expect(await entryCount(tenant.id)).toEqual(before);
    });

    it("refuses an entry with a single line, or none, or in two currencies", async () => {
      const tenant = await createTestTenant(testDb(), "ledger-raw");
      const b = await openBooks(tenant);
      const insertEntry = async (client: pg.Client) => {
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO "JournalEntry" (id, "tenantId", date, memo, "lineCount", "postedById")
           VALUES (gen_random_uuid(), $1, '2026-03-01', 'Raw', 2, $2) RETURNING id`,
          [tenant.id, tenant.owner.userId],
        );
        return rows[0]?.id;
      };
      const line = (
        client: pg.Client,
        entryId: string | undefined,
        no: number,
        account: string,
        d: number,
        c: number,
      ) =>
        client.query(
          `INSERT INTO "JournalLine" (id, "tenantId", "entryId", "lineNo", "accountId", "debitCents", "creditCents")
           VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6)`,
          [tenant.id, entryId, no, account, d, c],
        );
      const none = await sqlError(asAppRole(tenant.id, async (client) => void (await insertEntry(client))));
      expect(none.code).toBe("LG001");
      expect(none.message).toMatch(/has 0 line\(s\) but was posted with 2/);
      const twoCurrencies = await sqlError(
        asAppRole(tenant.id, async (client) => {
          const id = await insertEntry(client);
          await line(client, id, 1, b.cash, 100, 0);
          await line(client, id, 2, b.euros, 0, 100);
        }),
      );
      expect(twoCurrencies.code).toBe("LG001");
      expect(twoCurrencies.message).toMatch(/currencies/);
      const bothSides = await sqlError(
        asAppRole(tenant.id, async (client) => {
          const id = await insertEntry(client);
          await line(client, id, 1, b.cash, 100, 100);
        }),
      );
      expect(bothSides.code).toBe("23514");
      expect(await entryCount(tenant.id)).toEqual({ entries: 0, lines: 0 });
    });

    it("accepts a balanced entry written with plain SQL", async () => {
      const tenant = await createTestTenant(testDb(), "ledger-raw");
      const b = await openBooks(tenant);
      await asAppRole(tenant.id, async (client) => {
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO "JournalEntry" (id, "tenantId", date, memo, "lineCount", "postedById")
           VALUES (gen_random_uuid(), $1, '2026-03-01', 'Balanced', 2, $2) RETURNING id`,
          [tenant.id, tenant.owner.userId],
        );
        await client.query(
          `INSERT INTO "JournalLine" (id, "tenantId", "entryId", "lineNo", "accountId", "debitCents", "creditCents")
           VALUES (gen_random_uuid(), $1, $2, 1, $3, 500, 0), (gen_random_uuid(), $1, $2, 2, $4, 0, 500)`,
          [tenant.id, rows[0]?.id, b.rent, b.cash],
        );
      });
      expect(await entryCount(tenant.id)).toEqual({ entries: 1, lines: 2 });
    });

    it("refuses lines added to a posted entry, even a pair that balances", async () => {
      const posted = await acme.asOwner((ctx) => postEntry(ctx, rentEntry(books, 700n, "Closed")));
      const refusal = await sqlError(
        asAppRole(acme.id, async (client) => {
          await client.query(
            `INSERT INTO "JournalLine" (id, "tenantId", "entryId", "lineNo", "accountId", "debitCents", "creditCents")
             VALUES (gen_random_uuid(), $1, $2, 3, $3, 100, 0), (gen_random_uuid(), $1, $2, 4, $4, 0, 100)`,
            [acme.id, posted.id, books.travel, books.cash],
          );
        }),
      );
      expect(refusal.code).toBe("LG001");
      expect(refusal.message).toMatch(/has 4 line\(s\) but was posted with 2/);
      const lines = await withOwner((client) =>
        client.query(`SELECT 1 FROM "JournalLine" WHERE "entryId" = $1`, [posted.id]),
      );
      expect(lines.rowCount).toBe(2);
    });

    it("keeps posted entries and lines as they are, for the app role and the owner alike", async () => {
      const posted = await acme.asOwner((ctx) => postEntry(ctx, rentEntry(books, 1_000n, "Immutable")));
      const attempts = [
        `UPDATE "JournalEntry" SET memo = 'changed' WHERE id = '${posted.id}'`,
        `DELETE FROM "JournalEntry" WHERE id = '${posted.id}'`,
        `UPDATE "JournalLine" SET "debitCents" = 1 WHERE "entryId" = '${posted.id}'`,
        `DELETE FROM "JournalLine" WHERE "entryId" = '${posted.id}'`,
      ];
      for (const statement of attempts) {
        const app = await sqlError(
          asAppRole(acme.id, async (client) => void (await client.query(statement))),
        );
        expect(app.code, statement).toBe("42501"); // the app role has SELECT and INSERT only
        const owner = await sqlError(withOwner((client) => client.query(statement)));
        expect(owner.code, statement).toBe("LG002");
        expect(owner.message).toMatch(/append-only/);
      }
      const truncate = await sqlError(withOwner((client) => client.query(`TRUNCATE "JournalLine"`)));
      expect(truncate.code).toBe("LG002");
      // Through Prisma in a domain transaction, too.
      const prismaUpdate = await sqlError(
        acme.asOwner((ctx) =>
          ctx.db.journalEntry.update({ where: { id: posted.id }, data: { memo: "changed" } }),
        ),
      );
      expect(prismaUpdate.message).toMatch(/permission denied/);
      const stored = await withOwner((client) =>
        client.query<{ memo: string }>(`SELECT memo FROM "JournalEntry" WHERE id = $1`, [posted.id]),
      );
      expect(stored.rows).toEqual([{ memo: "Immutable" }]);
    });

    it("maps the triggers' refusals to one clear AppError", async () => {
      const unbalanced = await sqlError(
        withTenant(testDb(), { tenantId: acme.id }, async (tx) => {
          const id = randomUUID();
          await tx.journalEntry.create({
            data: {
              id,
              tenantId: acme.id,
              date: new Date("2026-03-01"),
              memo: "Lonely",
              lineCount: 2,
              postedById: acme.owner.userId,
            },
          });
          await tx.$executeRawUnsafe("SET CONSTRAINTS journal_entry_balanced IMMEDIATE");
        }).catch((error: unknown) => {
          throw ledgerRefusal(error) ?? error;
        }),
      );
      expect(unbalanced.message).toMatch(/does not balance/);
      const appError = await caught(
        withTenant(testDb(), { tenantId: acme.id }, async (tx) => {
          await tx.journalEntry.create({
            data: {
              tenantId: acme.id,
              date: new Date("2026-03-01"),
              memo: "Lonely",
              lineCount: 2,
              postedById: acme.owner.userId,
            },
          });
        }).catch((error: unknown) => {
          throw ledgerRefusal(error) ?? error;
        }),
      );
      expect(appError.code).toBe("BAD_REQUEST");
    });
  });

  describe("postEntry", () => {
    it("posts a balanced entry and audits it", async () => {
      const entry = await acme.asOwner((ctx) => postEntry(ctx, rentEntry(books, 2_500n)));
      expect(entry).toMatchObject({
        date: "2026-03-01",
        memo: "Office rent",
        source: "expense:rent-march",
        currency: "USD",
        lines: [
          {
            lineNo: 1,
            accountId: books.rent,
            costCenterId: books.engineering,
            debitCents: 2_500n,
            creditCents: 0n,
          },
          { lineNo: 2, accountId: books.cash, costCenterId: null, debitCents: 0n, creditCents: 2_500n },
        ],
      });
      const audit = await withOwner((client) =>
        client.query<{ action: string; detail: unknown }>(
          `SELECT action, detail FROM "AuditEntry" WHERE "tenantId" = $1 AND "resourceId" = $2`,
          [acme.id, entry.id],
        ),
      );
      expect(audit.rows).toEqual([
        {
          action: "ledger.entry_posted",
          detail: { source: "expense:rent-march", lines: 2, totalCents: "2500", currency: "USD" },
        },
      ]);
    });

    it("refuses bad input with clear errors and writes nothing", async () => {
      const before = await entryCount(acme.id);
      const cases: [PostEntryInput, RegExp][] = [
        [{ ...rentEntry(books, 100n), date: "01/03/2026" }, /date: Use a date as YYYY-MM-DD/],
        [{ ...rentEntry(books, 100n), memo: "  " }, /memo: Describe the entry/],
        [
          {
            ...rentEntry(books, 100n),
            lines: [
              { accountId: books.rent, debitCents: 100n },
              { accountId: books.cash, creditCents: 90n },
            ],
          },
          /Debits \(100 cents\) and credits \(90 cents\) must be equal/,
        ],
        [
          { ...rentEntry(books, 100n), lines: [{ accountId: books.rent, debitCents: 100n }] },
          /at least two lines/,
        ],
        [
          {
            ...rentEntry(books, 100n),
            lines: [
              { accountId: books.rent, debitCents: 100n, creditCents: 100n },
              { accountId: books.cash },
            ],
          },
          /either a debit or a credit/,
        ],
        [
          {
            ...rentEntry(books, 100n),
            lines: [
              { accountId: books.rent, debitCents: -5n },
              { accountId: books.cash, creditCents: -5n },
            ],
          },
          /Cannot be negative/,
        ],
        [
          {
            ...rentEntry(books, 100n),
            lines: [
              { accountId: books.rent, debitCents: 1.5 },
              { accountId: books.cash, creditCents: 1.5 },
            ],
          },
          /Use whole cents/,
        ],
        [
          {
            ...rentEntry(books, 100n),
            lines: [
              { accountId: books.euros, debitCents: 100n },
              { accountId: books.cash, creditCents: 100n },
            ],
          },
          /one currency/,
        ],
      ];
      for (const [input, message] of cases) {
        const error = await caught(acme.asOwner((ctx) => postEntry(ctx, input)));
        expect(error.code, String(message)).toBe("BAD_REQUEST");
        expect(error.message).toMatch(message);
      }
      expect(await entryCount(acme.id)).toEqual(before);
    });

    it("treats another tenant's accounts and cost centers as not found", async () => {
      const before = await entryCount(acme.id);
      const foreignAccount = await caught(
        acme.asOwner((ctx) => postEntry(ctx, rentEntry({ ...books, cash: globexBooks.cash }, 100n))),
      );
      expect(foreignAccount.code).toBe("NOT_FOUND");
      const foreignCostCenter = await caught(
        acme.asOwner((ctx) =>
          postEntry(ctx, rentEntry({ ...books, engineering: globexBooks.engineering }, 100n)),
        ),
      );
      expect(foreignCostCenter.code).toBe("NOT_FOUND");
      expect(await entryCount(acme.id)).toEqual(before);
    });

    it("is for owners and admins only", async () => {
      const admin = await acme.add("admin");
      const employee = await acme.add("employee");
      const as =
        (user: typeof admin) =>
        <T>(fn: (ctx: TenantContext) => Promise<T>) =>
          withTenant(testDb(), { tenantId: acme.id }, (tx) =>
            fn({
              tenantId: acme.id,
              actor: { userId: user.userId, membershipId: user.membershipId, role: user.role },
              db: tx,
            }),
          );
      await expect(
        as(admin)((ctx) => postEntry(ctx, rentEntry(books, 10n, "By the admin"))),
      ).resolves.toMatchObject({
        postedById: admin.userId,
      });
      const calls: ((ctx: TenantContext) => Promise<unknown>)[] = [
        (ctx: TenantContext) => postEntry(ctx, rentEntry(books, 10n)),
        (ctx: TenantContext) => trialBalance(ctx),
        (ctx: TenantContext) => ledgerCsv(ctx, { from: "2026-01-01", to: "2026-12-31" }),
        (ctx: TenantContext) => checkBudget(ctx, { costCenterId: books.engineering, amountCents: 1n }),
      ];
      for (const call of calls) {
        expect((await caught(as(employee)(call))).code).toBe("FORBIDDEN");
      }
    });
  });

  describe("reverseEntry", () => {
    it("posts the mirror entry, so the accounts net to zero, and only once", async () => {
      const tenant = await createTestTenant(testDb(), "ledger-reverse");
      const b = await openBooks(tenant);
      const original = await tenant.asOwner((ctx) => postEntry(ctx, rentEntry(b, 7_000n)));
      const reversal = await tenant.asOwner((ctx) =>
        reverseEntry(ctx, original.id, "Posted twice by mistake"),
      );
      expect(reversal).toMatchObject({
        reversesId: original.id,
        source: `reversal:${original.id}`,
        memo: "Posted twice by mistake",
        lines: [
          { accountId: b.rent, costCenterId: b.engineering, debitCents: 0n, creditCents: 7_000n },
          { accountId: b.cash, debitCents: 7_000n, creditCents: 0n },
        ],
      });
      const balances = await tenant.asOwner((ctx) => accountBalances(ctx, { asOf: "2999-12-31" }));
      for (const b of balances) expect(b.balanceCents, b.code).toBe(0n);
      expect(await tenant.asOwner((ctx) => costCenterSpend(ctx, b.engineering, 2026))).toBe(0n);
      const again = await caught(tenant.asOwner((ctx) => reverseEntry(ctx, original.id, "Again")));
      expect(again.code).toBe("CONFLICT");
      const actions = await withOwner((client) =>
        client.query<{ action: string }>(
          `SELECT action FROM "AuditEntry" WHERE "tenantId" = $1 AND action LIKE 'ledger.entry_%' ORDER BY seq`,
          [tenant.id],
        ),
      );
      expect(actions.rows.map((r) => r.action)).toEqual(["ledger.entry_posted", "ledger.entry_reversed"]);
    });

    it("treats another tenant's entry, or a malformed id, as not found", async () => {
      const theirs = await globex.asOwner((ctx) => postEntry(ctx, rentEntry(globexBooks, 300n)));
      expect((await caught(acme.asOwner((ctx) => reverseEntry(ctx, theirs.id, "Not mine")))).code).toBe(
        "NOT_FOUND",
      );
      expect((await caught(acme.asOwner((ctx) => reverseEntry(ctx, "nope", "Not an id")))).code).toBe(
        "NOT_FOUND",
      );
      expect(
        (await caught(acme.asOwner((ctx) => costCenterSpend(ctx, globexBooks.engineering, 2026)))).code,
      ).toBe("NOT_FOUND");
      expect(
        (
          await caught(
            acme.asOwner((ctx) =>
              checkBudget(ctx, { costCenterId: globexBooks.engineering, amountCents: 1n }),
            ),
          )
        ).code,
      ).toBe("NOT_FOUND");
    });
  });

  describe("balances", () => {
    it("the trial balance nets to zero in each currency", async () => {
      const tenant = await createTestTenant(testDb(), "ledger-trial");
      const b = await openBooks(tenant);
      await tenant.asOwner(async (ctx) => {
        await postEntry(ctx, rentEntry(b, 12_345n));
        await postEntry(ctx, {
          date: "2026-04-02",
          memo: "Trip to Lyon",
          lines: [
            { accountId: b.travel, debitCents: 800n },
            { accountId: b.rent, debitCents: 200n },
            { accountId: b.cash, creditCents: 1_000n },
          ],
        });
        const euros = await createLedgerAccount(ctx, {
          code: "3010",
          name: "Equity EUR",
          type: "equity",
          currency: "EUR",
        });
        await postEntry(ctx, {
          date: "2026-04-03",
          memo: "Capital",
          lines: [
            { accountId: b.euros, debitCents: 50_000n },
            { accountId: euros.id, creditCents: 50_000n },
          ],
        });
      });
      const trial = await tenant.asOwner((ctx) => trialBalance(ctx, { asOf: "2026-12-31" }));
      expect(trial.totals).toEqual([
        { currency: "EUR", debitCents: 50_000n, creditCents: 50_000n },
        { currency: "USD", debitCents: 13_345n, creditCents: 13_345n },
      ]);
      const asOfMarch = await tenant.asOwner((ctx) => accountBalances(ctx, { asOf: "2026-03-31" }));
      expect(asOfMarch.find((a) => a.accountId === b.cash)).toMatchObject({
        creditCents: 12_345n,
        balanceCents: -12_345n,
      });
      expect(asOfMarch.find((a) => a.accountId === b.travel)).toMatchObject({ balanceCents: 0n });
    });

    it("checks a cost center's budget against what it has spent", async () => {
      const tenant = await createTestTenant(testDb(), "ledger-budget");
      const b = await openBooks(tenant); // budget 100,000 cents for 2026
      await tenant.asOwner((ctx) => postEntry(ctx, rentEntry(b, 60_000n)));
      // Spending in another year does not count against 2026.
      await tenant.asOwner((ctx) => postEntry(ctx, { ...rentEntry(b, 90_000n), date: "2025-12-31" }));
      expect(
        await tenant.asOwner((ctx) =>
          checkBudget(ctx, { costCenterId: b.engineering, amountCents: 40_000n }),
        ),
      ).toEqual({
        withinBudget: true,
        remainingCents: 40_000n,
        wouldExceedByCents: 0n,
      });
      expect(
        await tenant.asOwner((ctx) => checkBudget(ctx, { costCenterId: b.engineering, amountCents: 45_000 })),
      ).toEqual({
        withinBudget: false,
        remainingCents: 40_000n,
        wouldExceedByCents: 5_000n,
      });
      const negative = await caught(
        tenant.asOwner((ctx) => checkBudget(ctx, { costCenterId: b.engineering, amountCents: -1n })),
      );
      expect(negative.code).toBe("BAD_REQUEST");
    });
  });

  describe("ledgerCsv", () => {
    it("exports the period's lines, quoted and guarded against formulas", async () => {
      const tenant = await createTestTenant(testDb(), "ledger-csv");
      const b = await openBooks(tenant);
      const entry = await tenant.asOwner((ctx) =>
        postEntry(ctx, {
          ...rentEntry(b, 1_999n, '=HYPERLINK("http://evil.example","rent, March")'),
          date: "2026-03-15",
        }),
      );
      await tenant.asOwner((ctx) =>
        postEntry(ctx, { ...rentEntry(b, 5n, "Outside the period"), date: "2026-05-01" }),
      );
      const csv = await tenant.asOwner((ctx) => ledgerCsv(ctx, { from: "2026-03-01", to: "2026-03-31" }));
      expect(csv.split("\r\n")).toEqual([
        "date,entry,memo,source,reverses,line,account_code,account_name,cost_center,currency,debit_cents,credit_cents",
        `2026-03-15,${entry.id},"'=HYPERLINK(""http://evil.example"",""rent, March"")",expense:rent-march,,1,6100,Rent,ENG,USD,1999,0`,
        `2026-03-15,${entry.id},"'=HYPERLINK(""http://evil.example"",""rent, March"")",expense:rent-march,,2,1000,Cash,,USD,0,1999`,
        "",
      ]);
      const badRange = await caught(
        tenant.asOwner((ctx) => ledgerCsv(ctx, { from: "2026-04-01", to: "2026-03-01" })),
      );
      expect(badRange.code).toBe("BAD_REQUEST");
    });
  });
});

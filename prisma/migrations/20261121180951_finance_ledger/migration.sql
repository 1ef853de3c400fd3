-- CreateEnum
CREATE TYPE "LedgerAccountType" AS ENUM ('asset', 'liability', 'equity', 'income', 'expense');

-- CreateTable
CREATE TABLE "LedgerAccount" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" "LedgerAccountType" NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LedgerAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CostCenter" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "annualBudgetCents" BIGINT NOT NULL,
    "fiscalYear" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CostCenter_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JournalEntry" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "date" DATE NOT NULL,
    "memo" TEXT NOT NULL,
    "source" TEXT,
    "reversesId" UUID,
    "lineCount" INTEGER NOT NULL,
    "postedById" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "JournalEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JournalLine" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "entryId" UUID NOT NULL,
    "lineNo" INTEGER NOT NULL,
    "accountId" UUID NOT NULL,
    "costCenterId" UUID,
    "debitCents" BIGINT NOT NULL DEFAULT 0,
    "creditCents" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "JournalLine_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "LedgerAccount_tenantId_id_key" ON "LedgerAccount"("tenantId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerAccount_tenantId_code_key" ON "LedgerAccount"("tenantId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "CostCenter_tenantId_id_key" ON "CostCenter"("tenantId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "CostCenter_tenantId_code_fiscalYear_key" ON "CostCenter"("tenantId", "code", "fiscalYear");

-- CreateIndex
CREATE INDEX "JournalEntry_tenantId_date_idx" ON "JournalEntry"("tenantId", "date");

-- CreateIndex
CREATE UNIQUE INDEX "JournalEntry_tenantId_id_key" ON "JournalEntry"("tenantId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "JournalEntry_tenantId_reversesId_key" ON "JournalEntry"("tenantId", "reversesId");

-- CreateIndex
CREATE INDEX "JournalLine_tenantId_accountId_idx" ON "JournalLine"("tenantId", "accountId");

-- CreateIndex
CREATE INDEX "JournalLine_tenantId_costCenterId_idx" ON "JournalLine"("tenantId", "costCenterId");

-- CreateIndex
CREATE UNIQUE INDEX "JournalLine_tenantId_entryId_lineNo_key" ON "JournalLine"("tenantId", "entryId", "lineNo");

-- AddForeignKey
ALTER TABLE "LedgerAccount" ADD CONSTRAINT "LedgerAccount_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "CostCenter" ADD CONSTRAINT "CostCenter_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "JournalEntry" ADD CONSTRAINT "JournalEntry_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "JournalEntry" ADD CONSTRAINT "JournalEntry_postedById_fkey" FOREIGN KEY ("postedById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "JournalEntry" ADD CONSTRAINT "JournalEntry_tenantId_reversesId_fkey" FOREIGN KEY ("tenantId", "reversesId") REFERENCES "JournalEntry"("tenantId", "id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "JournalLine" ADD CONSTRAINT "JournalLine_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "JournalLine" ADD CONSTRAINT "JournalLine_tenantId_entryId_fkey" FOREIGN KEY ("tenantId", "entryId") REFERENCES "JournalEntry"("tenantId", "id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "JournalLine" ADD CONSTRAINT "JournalLine_tenantId_accountId_fkey" FOREIGN KEY ("tenantId", "accountId") REFERENCES "LedgerAccount"("tenantId", "id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "JournalLine" ADD CONSTRAINT "JournalLine_tenantId_costCenterId_fkey" FOREIGN KEY ("tenantId", "costCenterId") REFERENCES "CostCenter"("tenantId", "id") ON DELETE RESTRICT ON UPDATE RESTRICT;





-- ─── Hand-written: what keeps the ledger honest even against SQL that bypasses server/finance ───

-- A line is a debit or a credit, never both, never neither, never negative.
ALTER TABLE "JournalLine" ADD CONSTRAINT "JournalLine_one_side_check"
  CHECK (("debitCents" > 0 AND "creditCents" = 0) OR ("debitCents" = 0 AND "creditCents" > 0));
ALTER TABLE "JournalLine" ADD CONSTRAINT "JournalLine_lineNo_check" CHECK ("lineNo" >= 1);
ALTER TABLE "JournalEntry" ADD CONSTRAINT "JournalEntry_lineCount_check" CHECK ("lineCount" >= 2);
ALTER TABLE "LedgerAccount" ADD CONSTRAINT "LedgerAccount_currency_check" CHECK ("currency" ~ '^[A-Z]{3}$');
ALTER TABLE "CostCenter" ADD CONSTRAINT "CostCenter_budget_check" CHECK ("annualBudgetCents" >= 0);

-- Every entry balances: at least two lines, exactly as many as it was posted with ("lineCount", so
-- nothing can be added to a posted entry), Σdebit = Σcredit, and all lines' accounts in one currency.
-- Checked when the transaction commits (constraint triggers DEFERRABLE INITIALLY DEFERRED), because an
-- entry and its lines are inserted one statement after another and only the whole can balance;
-- server/finance/ledger.ts runs the check early with SET CONSTRAINTS … IMMEDIATE to report it.
-- SQLSTATE LG001 is what server/finance/ledger.ts recognises. The function runs as the caller, under
-- row-level security: were the tenant setting changed before commit, it would see no lines and refuse
-- (fail closed) rather than accept an entry it cannot see.
CREATE FUNCTION ledger_check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  entry uuid;
  declared int;
  line_count int;
  debits numeric;
  credits numeric;
  currencies int;
BEGIN
  IF TG_TABLE_NAME = 'JournalEntry' THEN
    entry := NEW.id;
  ELSE
    entry := NEW."entryId";
  END IF;
  SELECT count(*), coalesce(sum(l."debitCents"), 0), coalesce(sum(l."creditCents"), 0),
         count(DISTINCT a.currency)
    INTO line_count, debits, credits, currencies
    FROM "JournalLine" l
    JOIN "LedgerAccount" a ON a."tenantId" = l."tenantId" AND a.id = l."accountId"
   WHERE l."entryId" = entry;
  SELECT e."lineCount" INTO declared FROM "JournalEntry" e WHERE e.id = entry;
  IF line_count <> declared THEN
    RAISE EXCEPTION 'journal entry % has % line(s) but was posted with %; a posted entry cannot gain lines',
      entry, line_count, declared USING ERRCODE = 'LG001';
  END IF;
  IF line_count < 2 THEN
    RAISE EXCEPTION 'journal entry % has % line(s); an entry needs at least two', entry, line_count
      USING ERRCODE = 'LG001';
  END IF;
  IF debits <> credits THEN
    RAISE EXCEPTION 'journal entry % does not balance: debits % cents, credits % cents', entry, debits, credits
      USING ERRCODE = 'LG001';
  END IF;
  IF currencies <> 1 THEN
    RAISE EXCEPTION 'journal entry % mixes % currencies; an entry is in one currency', entry, currencies
      USING ERRCODE = 'LG001';
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER journal_entry_balanced AFTER INSERT ON "JournalEntry"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();
CREATE CONSTRAINT TRIGGER journal_line_balanced AFTER INSERT ON "JournalLine"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();

-- Append-only: an entry is posted when inserted, and a posted entry and its lines never change, even
-- for the owner; a mistake is corrected by a reversing entry (reverseEntry). Statement-level, so an
-- UPDATE or DELETE that matches no row is refused too. SQLSTATE LG002.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: % on "%" is not allowed; post a reversing entry', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'LG002';
END $$;

CREATE TRIGGER journal_entry_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON "JournalEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER journal_line_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON "JournalLine"
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- Row-level security: every ledger row belongs to one tenant.
ALTER TABLE "LedgerAccount" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "LedgerAccount" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "LedgerAccount"
  USING ("tenantId" = app_current_tenant()) WITH CHECK ("tenantId" = app_current_tenant());

ALTER TABLE "CostCenter" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "CostCenter" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "CostCenter"
  USING ("tenantId" = app_current_tenant()) WITH CHECK ("tenantId" = app_current_tenant());

ALTER TABLE "JournalEntry" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "JournalEntry" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "JournalEntry"
  USING ("tenantId" = app_current_tenant()) WITH CHECK ("tenantId" = app_current_tenant());

ALTER TABLE "JournalLine" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "JournalLine" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "JournalLine"
  USING ("tenantId" = app_current_tenant()) WITH CHECK ("tenantId" = app_current_tenant());

-- The app reads and adds; it never changes or removes a ledger row (server/finance/ledger.ts). Accounts
-- and cost centers are not edited yet either.
GRANT SELECT, INSERT ON "LedgerAccount", "CostCenter", "JournalEntry", "JournalLine" TO tenet_app;

-- Finance workflows (server/finance/): vendors, expenses with their receipts, purchase requests,
-- purchase orders and the budget they commit. Schema `finance`, written by hand and not in
-- schema.prisma: only server/finance's plain SQL reads and writes it. Money is integer cents (bigint),
-- every row belongs to one tenant (row-level security, and composite foreign keys with tenant_id so a
-- row can only ever point at its own tenant's rows), and the states each record may be in are checked
-- here as well as in code.
CREATE SCHEMA finance;
GRANT USAGE ON SCHEMA finance TO tenet_app;

-- ─── Vendors ───────────────────────────────────────────────────────────────────────────────────────
CREATE TABLE finance.vendor (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200 AND name = btrim(name)),
  tax_id text CHECK (length(tax_id) BETWEEN 1 AND 50),
  email text CHECK (length(email) BETWEEN 3 AND 320 AND email LIKE '%_@_%'),
  payment_terms_days integer NOT NULL DEFAULT 30 CHECK (payment_terms_days BETWEEN 0 AND 365),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
-- "ACME Corp" and "acme corp" are the same vendor.
CREATE UNIQUE INDEX vendor_name_key ON finance.vendor (tenant_id, lower(name));

-- ─── Expenses ──────────────────────────────────────────────────────────────────────────────────────
CREATE TABLE finance.expense (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  submitter_id uuid NOT NULL REFERENCES public."User" (id) ON DELETE RESTRICT,
  date date NOT NULL,
  merchant text NOT NULL CHECK (length(merchant) BETWEEN 1 AND 200),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0 AND amount_cents <= 1000000000000000),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  category text NOT NULL
    CHECK (category IN ('travel', 'meals', 'lodging', 'supplies', 'software', 'training', 'other')),
  cost_center_id uuid NOT NULL,
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  status text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'reimbursed')),
  submitted_at timestamptz,
  journal_entry_id uuid,
  decided_by uuid REFERENCES public."User" (id) ON DELETE RESTRICT,
  decided_at timestamptz,
  reason text CHECK (length(reason) BETWEEN 1 AND 1000),
  reimbursement_entry_id uuid,
  reimbursed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, journal_entry_id),
  UNIQUE (tenant_id, reimbursement_entry_id),
  FOREIGN KEY (tenant_id, cost_center_id) REFERENCES public."CostCenter" ("tenantId", id) ON DELETE RESTRICT,
  FOREIGN KEY (tenant_id, journal_entry_id) REFERENCES public."JournalEntry" ("tenantId", id) ON DELETE RESTRICT,
  FOREIGN KEY (tenant_id, reimbursement_entry_id) REFERENCES public."JournalEntry" ("tenantId", id) ON DELETE RESTRICT,
  -- Each state carries exactly what it means: a submitted expense has a submission time; an approved
  -- one was decided by someone and posted to the ledger; a rejected one says why and posted nothing.
  CONSTRAINT expense_state_check CHECK (
    CASE status
      WHEN 'draft' THEN submitted_at IS NULL AND journal_entry_id IS NULL AND decided_by IS NULL
      WHEN 'submitted' THEN submitted_at IS NOT NULL AND journal_entry_id IS NULL AND decided_by IS NULL
      WHEN 'approved' THEN journal_entry_id IS NOT NULL AND decided_by IS NOT NULL AND decided_at IS NOT NULL
        AND reimbursement_entry_id IS NULL
      WHEN 'rejected' THEN journal_entry_id IS NULL AND decided_by IS NOT NULL AND decided_at IS NOT NULL
        AND reason IS NOT NULL
      WHEN 'reimbursed' THEN journal_entry_id IS NOT NULL AND decided_by IS NOT NULL
        AND reimbursement_entry_id IS NOT NULL AND reimbursed_at IS NOT NULL
    END
  ),
  -- Nobody approves or rejects their own expense.
  CONSTRAINT expense_not_self_decided CHECK (decided_by IS NULL OR decided_by <> submitter_id)
);
CREATE INDEX expense_submitter_idx ON finance.expense (tenant_id, submitter_id, date);
CREATE INDEX expense_status_idx ON finance.expense (tenant_id, status);

-- The only moves an expense makes: draft → submitted → approved | rejected, approved → reimbursed.
-- Its amount, currency, cost center and submitter are fixed once it is submitted (what was approved is
-- what was posted). Enforced here so that SQL bypassing server/finance cannot re-open a decision.
CREATE FUNCTION finance.expense_check_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.tenant_id <> OLD.tenant_id OR NEW.submitter_id <> OLD.submitter_id THEN
    RAISE EXCEPTION 'an expense keeps its tenant and submitter' USING ERRCODE = 'FN001';
  END IF;
  IF OLD.status <> 'draft' AND (NEW.amount_cents <> OLD.amount_cents OR NEW.currency <> OLD.currency
      OR NEW.cost_center_id <> OLD.cost_center_id OR NEW.date <> OLD.date OR NEW.category <> OLD.category
      OR NEW.merchant <> OLD.merchant) THEN
    RAISE EXCEPTION 'a % expense cannot be edited', OLD.status USING ERRCODE = 'FN001';
  END IF;
  IF NEW.status <> OLD.status AND NOT (
       (OLD.status = 'draft' AND NEW.status = 'submitted')
    OR (OLD.status = 'submitted' AND NEW.status IN ('approved', 'rejected'))
    OR (OLD.status = 'approved' AND NEW.status = 'reimbursed')
  ) THEN
    RAISE EXCEPTION 'an expense cannot go from % to %', OLD.status, NEW.status USING ERRCODE = 'FN001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER expense_transition BEFORE UPDATE ON finance.expense
  FOR EACH ROW EXECUTE FUNCTION finance.expense_check_transition();

-- ─── Receipts: the files themselves live in PostgreSQL, with the expense they belong to ──────────
CREATE TABLE finance.receipt (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  expense_id uuid NOT NULL,
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255 AND file_name !~ '[/\\[:cntrl:]]'),
  -- The type found in the file's first bytes (server/finance/receipts.ts), never the uploader's claim.
  content_type text NOT NULL
    CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg', 'image/heic', 'image/heif')),
  size_bytes integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
  sha256 bytea NOT NULL CHECK (octet_length(sha256) = 32),
  bytes bytea NOT NULL,
  uploaded_by uuid NOT NULL REFERENCES public."User" (id) ON DELETE RESTRICT,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, expense_id) REFERENCES finance.expense (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT receipt_size_matches CHECK (octet_length(bytes) = size_bytes),
  CONSTRAINT receipt_hash_matches CHECK (sha256 = sha256(bytes))
);
CREATE INDEX receipt_expense_idx ON finance.receipt (tenant_id, expense_id);
-- The large bytea is compressed poorly (PDFs and images already are) and read whole: store it out of
-- line without trying.
ALTER TABLE finance.receipt ALTER COLUMN bytes SET STORAGE EXTERNAL;

-- ─── Purchase requests and orders ──────────────────────────────────────────────────────────────────
CREATE TABLE finance.purchase_request (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  requester_id uuid NOT NULL REFERENCES public."User" (id) ON DELETE RESTRICT,
  vendor_id uuid NOT NULL,
  cost_center_id uuid NOT NULL,
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0 AND amount_cents <= 1000000000000000),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status text NOT NULL DEFAULT 'requested'
    CHECK (status IN ('requested', 'approved', 'rejected', 'ordered', 'cancelled')),
  -- Whether the amount took the cost center past its budget (spent + committed) when requested.
  over_budget boolean NOT NULL,
  decided_by uuid REFERENCES public."User" (id) ON DELETE RESTRICT,
  decided_at timestamptz,
  reason text CHECK (length(reason) BETWEEN 1 AND 1000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, vendor_id) REFERENCES finance.vendor (tenant_id, id) ON DELETE RESTRICT,
  FOREIGN KEY (tenant_id, cost_center_id) REFERENCES public."CostCenter" ("tenantId", id) ON DELETE RESTRICT,
  CONSTRAINT purchase_request_state_check CHECK (
    CASE status
      WHEN 'requested' THEN decided_by IS NULL
      WHEN 'approved' THEN decided_by IS NOT NULL AND decided_at IS NOT NULL
      WHEN 'ordered' THEN decided_by IS NOT NULL AND decided_at IS NOT NULL
      WHEN 'rejected' THEN decided_by IS NOT NULL AND decided_at IS NOT NULL AND reason IS NOT NULL
      WHEN 'cancelled' THEN true
    END
  ),
  CONSTRAINT purchase_request_not_self_decided CHECK (decided_by IS NULL OR decided_by <> requester_id)
);
CREATE INDEX purchase_request_status_idx ON finance.purchase_request (tenant_id, status);

CREATE FUNCTION finance.purchase_request_check_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.tenant_id <> OLD.tenant_id OR NEW.requester_id <> OLD.requester_id
     OR NEW.amount_cents <> OLD.amount_cents OR NEW.currency <> OLD.currency
     OR NEW.cost_center_id <> OLD.cost_center_id OR NEW.vendor_id <> OLD.vendor_id
     OR NEW.over_budget <> OLD.over_budget THEN
    RAISE EXCEPTION 'a purchase request cannot be edited once made' USING ERRCODE = 'FN001';
  END IF;
  IF NEW.status <> OLD.status AND NOT (
       (OLD.status = 'requested' AND NEW.status IN ('approved', 'rejected', 'cancelled'))
    OR (OLD.status = 'approved' AND NEW.status IN ('ordered', 'cancelled'))
  ) THEN
    RAISE EXCEPTION 'a purchase request cannot go from % to %', OLD.status, NEW.status USING ERRCODE = 'FN001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER purchase_request_transition BEFORE UPDATE ON finance.purchase_request
  FOR EACH ROW EXECUTE FUNCTION finance.purchase_request_check_transition();

-- Purchase order numbers run PO-<year>-0001, PO-<year>-0002, … per tenant and year, without gaps from
-- concurrent issuing: the counter row is locked by the UPDATE that takes the next number.
CREATE TABLE finance.po_counter (
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  year integer NOT NULL CHECK (year BETWEEN 2000 AND 9999),
  last_number integer NOT NULL CHECK (last_number >= 0),
  PRIMARY KEY (tenant_id, year)
);

CREATE TABLE finance.purchase_order (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  request_id uuid NOT NULL,
  vendor_id uuid NOT NULL,
  number text NOT NULL CHECK (number ~ '^PO-[0-9]{4}-[0-9]{4,}$'),
  issued_by uuid NOT NULL REFERENCES public."User" (id) ON DELETE RESTRICT,
  issued_at timestamptz NOT NULL DEFAULT now(),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0 AND amount_cents <= 1000000000000000),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'received', 'cancelled')),
  received_at timestamptz,
  journal_entry_id uuid,
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, number),
  -- One order per request: two agents ordering the same request cannot both succeed.
  UNIQUE (tenant_id, request_id),
  UNIQUE (tenant_id, journal_entry_id),
  FOREIGN KEY (tenant_id, request_id) REFERENCES finance.purchase_request (tenant_id, id) ON DELETE RESTRICT,
  FOREIGN KEY (tenant_id, vendor_id) REFERENCES finance.vendor (tenant_id, id) ON DELETE RESTRICT,
  FOREIGN KEY (tenant_id, journal_entry_id) REFERENCES public."JournalEntry" ("tenantId", id) ON DELETE RESTRICT,
  CONSTRAINT purchase_order_state_check CHECK (
    CASE status
      WHEN 'issued' THEN received_at IS NULL AND journal_entry_id IS NULL
      WHEN 'received' THEN received_at IS NOT NULL AND journal_entry_id IS NOT NULL
      WHEN 'cancelled' THEN journal_entry_id IS NULL
    END
  )
);

CREATE FUNCTION finance.purchase_order_check_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.tenant_id <> OLD.tenant_id OR NEW.request_id <> OLD.request_id OR NEW.number <> OLD.number
     OR NEW.amount_cents <> OLD.amount_cents OR NEW.currency <> OLD.currency OR NEW.vendor_id <> OLD.vendor_id THEN
    RAISE EXCEPTION 'a purchase order cannot be edited once issued' USING ERRCODE = 'FN001';
  END IF;
  IF NEW.status <> OLD.status AND NOT (OLD.status = 'issued' AND NEW.status IN ('received', 'cancelled')) THEN
    RAISE EXCEPTION 'a purchase order cannot go from % to %', OLD.status, NEW.status USING ERRCODE = 'FN001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER purchase_order_transition BEFORE UPDATE ON finance.purchase_order
  FOR EACH ROW EXECUTE FUNCTION finance.purchase_order_check_transition();

-- Money an issued order has promised but the ledger has not yet seen. Released (released_at set) when
-- the order is received, at which point the ledger entry takes its place, or cancelled.
CREATE TABLE finance.budget_commitment (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  cost_center_id uuid NOT NULL,
  purchase_order_id uuid NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0 AND amount_cents <= 1000000000000000),
  created_at timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  UNIQUE (tenant_id, purchase_order_id),
  FOREIGN KEY (tenant_id, cost_center_id) REFERENCES public."CostCenter" ("tenantId", id) ON DELETE RESTRICT,
  FOREIGN KEY (tenant_id, purchase_order_id) REFERENCES finance.purchase_order (tenant_id, id) ON DELETE RESTRICT
);
CREATE INDEX budget_commitment_open_idx ON finance.budget_commitment (tenant_id, cost_center_id)
  WHERE released_at IS NULL;

-- ─── Row-level security: every row belongs to one tenant ──────────────────────────────────────────
ALTER TABLE finance.vendor ENABLE ROW LEVEL SECURITY;
ALTER TABLE finance.vendor FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON finance.vendor
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

ALTER TABLE finance.expense ENABLE ROW LEVEL SECURITY;
ALTER TABLE finance.expense FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON finance.expense
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

ALTER TABLE finance.receipt ENABLE ROW LEVEL SECURITY;
ALTER TABLE finance.receipt FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON finance.receipt
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

ALTER TABLE finance.purchase_request ENABLE ROW LEVEL SECURITY;
ALTER TABLE finance.purchase_request FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON finance.purchase_request
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

ALTER TABLE finance.po_counter ENABLE ROW LEVEL SECURITY;
ALTER TABLE finance.po_counter FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON finance.po_counter
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

ALTER TABLE finance.purchase_order ENABLE ROW LEVEL SECURITY;
ALTER TABLE finance.purchase_order FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON finance.purchase_order
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

ALTER TABLE finance.budget_commitment ENABLE ROW LEVEL SECURITY;
ALTER TABLE finance.budget_commitment FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON finance.budget_commitment
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- What the app does: vendors are edited and deactivated, never deleted (requests and orders name
-- them); expenses are deleted only as drafts (checked in code), and their receipts with them; requests,
-- orders and commitments are kept for the books.
GRANT SELECT, INSERT, UPDATE ON finance.vendor TO tenet_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON finance.expense TO tenet_app;
GRANT SELECT, INSERT, DELETE ON finance.receipt TO tenet_app;
GRANT SELECT, INSERT, UPDATE ON finance.purchase_request, finance.purchase_order, finance.po_counter,
  finance.budget_commitment TO tenet_app;

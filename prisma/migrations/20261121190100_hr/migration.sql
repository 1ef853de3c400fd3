-- The built-in HRIS (server/hr/): departments, employees and their reporting lines, time off, and
-- onboarding/offboarding checklists. Schema `hr`, written by hand and not in schema.prisma: only
-- server/hr's plain SQL reads and writes it (and the kernel's directory query reads reporting lines).
--
-- Every table carries tenant_id under forced row-level security, and every reference between them is
-- a composite foreign key (tenant_id, id), so a row can never point into another tenant. The rules
-- that must hold whatever code writes here are the database's: no reporting cycles (trigger), no
-- overlapping time off for one person (exclusion constraint), no balance overdrawn (CHECK).
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE SCHEMA hr;
GRANT USAGE ON SCHEMA hr TO tenet_app;

CREATE TYPE hr.employee_status AS ENUM ('active', 'on_leave', 'terminated');
CREATE TYPE hr.time_off_kind AS ENUM ('vacation', 'sick', 'parental', 'unpaid', 'other');
CREATE TYPE hr.time_off_status AS ENUM ('requested', 'approved', 'rejected', 'cancelled');
CREATE TYPE hr.checklist_kind AS ENUM ('onboarding', 'offboarding');
CREATE TYPE hr.checklist_status AS ENUM ('open', 'completed');
CREATE TYPE hr.checklist_owner AS ENUM ('hr', 'it', 'facilities', 'manager');

CREATE TABLE hr.department (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  parent_id uuid,
  head_employee_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  CHECK (parent_id IS DISTINCT FROM id),
  FOREIGN KEY (tenant_id, parent_id) REFERENCES hr.department (tenant_id, id) ON DELETE RESTRICT
);
-- Names are unique per tenant regardless of case: "Sales" and "sales" are one department.
CREATE UNIQUE INDEX department_tenant_name_key ON hr.department (tenant_id, lower(name));

CREATE TABLE hr.employee (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  -- The person's Tenet account, when they have one: what links reporting lines to access decisions.
  user_id uuid REFERENCES public."User" (id) ON DELETE SET NULL,
  employee_number text NOT NULL CHECK (employee_number ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
  given_name text NOT NULL CHECK (length(btrim(given_name)) BETWEEN 1 AND 100),
  family_name text NOT NULL CHECK (length(btrim(family_name)) BETWEEN 1 AND 100),
  work_email text NOT NULL CHECK (work_email ~ '^[^@\s]+@[^@\s]+$' AND length(work_email) <= 254),
  title text NOT NULL DEFAULT '' CHECK (length(title) <= 200),
  department_id uuid,
  manager_id uuid,
  status hr.employee_status NOT NULL DEFAULT 'active',
  start_date date NOT NULL,
  end_date date,
  location text NOT NULL DEFAULT '' CHECK (length(location) <= 200),
  -- An IANA zone name; the application checks it against the runtime's list.
  time_zone text NOT NULL DEFAULT 'UTC' CHECK (time_zone ~ '^[A-Za-z0-9_+/-]{1,64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, employee_number),
  UNIQUE (tenant_id, user_id),
  CHECK (manager_id IS DISTINCT FROM id),
  CHECK (end_date IS NULL OR end_date >= start_date),
  -- A leaver has a last day; nobody else has one.
  CHECK ((status = 'terminated') = (end_date IS NOT NULL)),
  FOREIGN KEY (tenant_id, department_id) REFERENCES hr.department (tenant_id, id) ON DELETE RESTRICT,
  FOREIGN KEY (tenant_id, manager_id) REFERENCES hr.employee (tenant_id, id) ON DELETE RESTRICT
);
CREATE UNIQUE INDEX employee_tenant_email_key ON hr.employee (tenant_id, lower(work_email));
CREATE INDEX employee_manager_idx ON hr.employee (tenant_id, manager_id);
CREATE INDEX employee_department_idx ON hr.employee (tenant_id, department_id);

ALTER TABLE hr.department ADD FOREIGN KEY (tenant_id, head_employee_id)
  REFERENCES hr.employee (tenant_id, id) ON DELETE RESTRICT;

-- No reporting cycles: walking up from the new manager must never reach the employee. Writers of one
-- tenant's reporting lines are serialised by a transaction-level advisory lock, so two concurrent
-- changes (A reports to B, B reports to A) cannot each pass the check against the other's old state.
-- SQLSTATE HR001 is what server/hr recognises. The same holds for departments' parents (HR002).
CREATE FUNCTION hr.employee_no_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cursor_id uuid := NEW.manager_id;
  depth int := 0;
BEGIN
  IF NEW.manager_id IS NULL THEN
    RETURN NEW;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('hr.reporting_lines'), hashtext(NEW.tenant_id::text));
  WHILE cursor_id IS NOT NULL LOOP
    IF cursor_id = NEW.id THEN
      RAISE EXCEPTION 'An employee cannot report to themselves, directly or through others'
        USING ERRCODE = 'HR001';
    END IF;
    depth := depth + 1;
    IF depth > 10000 THEN
      RAISE EXCEPTION 'The reporting chain is too long' USING ERRCODE = 'HR001';
    END IF;
    SELECT e.manager_id INTO cursor_id FROM hr.employee e
     WHERE e.tenant_id = NEW.tenant_id AND e.id = cursor_id;
  END LOOP;
  RETURN NEW;
END $$;
CREATE TRIGGER employee_no_cycle BEFORE INSERT OR UPDATE OF manager_id ON hr.employee
  FOR EACH ROW EXECUTE FUNCTION hr.employee_no_cycle();

CREATE FUNCTION hr.department_no_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cursor_id uuid := NEW.parent_id;
  depth int := 0;
BEGIN
  IF NEW.parent_id IS NULL THEN
    RETURN NEW;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('hr.departments'), hashtext(NEW.tenant_id::text));
  WHILE cursor_id IS NOT NULL LOOP
    IF cursor_id = NEW.id THEN
      RAISE EXCEPTION 'A department cannot be inside itself' USING ERRCODE = 'HR002';
    END IF;
    depth := depth + 1;
    IF depth > 10000 THEN
      RAISE EXCEPTION 'The department tree is too deep' USING ERRCODE = 'HR002';
    END IF;
    SELECT d.parent_id INTO cursor_id FROM hr.department d
     WHERE d.tenant_id = NEW.tenant_id AND d.id = cursor_id;
  END LOOP;
  RETURN NEW;
END $$;
CREATE TRIGGER department_no_cycle BEFORE INSERT OR UPDATE OF parent_id ON hr.department
  FOR EACH ROW EXECUTE FUNCTION hr.department_no_cycle();

-- Days are counted in half-day units throughout (2 = one day), so half days stay exact integers.
CREATE TABLE hr.time_off_policy (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  kind hr.time_off_kind NOT NULL,
  accrual_half_days_per_year integer NOT NULL CHECK (accrual_half_days_per_year BETWEEN 0 AND 730),
  max_carryover_half_days integer NOT NULL DEFAULT 0 CHECK (max_carryover_half_days BETWEEN 0 AND 730),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX time_off_policy_tenant_name_key ON hr.time_off_policy (tenant_id, lower(name));

CREATE TABLE hr.time_off_balance (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  employee_id uuid NOT NULL,
  policy_id uuid NOT NULL,
  year integer NOT NULL CHECK (year BETWEEN 2000 AND 2200),
  entitled_half_days integer NOT NULL CHECK (entitled_half_days >= 0),
  carryover_half_days integer NOT NULL DEFAULT 0 CHECK (carryover_half_days >= 0),
  used_half_days integer NOT NULL DEFAULT 0 CHECK (used_half_days >= 0),
  pending_half_days integer NOT NULL DEFAULT 0 CHECK (pending_half_days >= 0),
  UNIQUE (tenant_id, employee_id, policy_id, year),
  -- Nobody takes or reserves more than they have.
  CONSTRAINT time_off_balance_not_overdrawn
    CHECK (used_half_days + pending_half_days <= entitled_half_days + carryover_half_days),
  FOREIGN KEY (tenant_id, employee_id) REFERENCES hr.employee (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, policy_id) REFERENCES hr.time_off_policy (tenant_id, id) ON DELETE RESTRICT
);

CREATE TABLE hr.time_off_request (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  employee_id uuid NOT NULL,
  policy_id uuid NOT NULL,
  start_date date NOT NULL,
  end_date date NOT NULL,
  half_days integer NOT NULL CHECK (half_days > 0),
  status hr.time_off_status NOT NULL DEFAULT 'requested',
  reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
  -- The person who decided, when a person did (an agent's decision is in the audit log).
  decided_by uuid REFERENCES public."User" (id) ON DELETE SET NULL,
  decided_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  CHECK (end_date >= start_date),
  -- Within one year, so one year's balance pays for it; at most two half days per calendar day.
  CHECK (extract(year FROM start_date) = extract(year FROM end_date)),
  CHECK (half_days <= 2 * (end_date - start_date + 1)),
  CHECK ((status IN ('approved', 'rejected')) = (decided_at IS NOT NULL) OR status = 'cancelled'),
  FOREIGN KEY (tenant_id, employee_id) REFERENCES hr.employee (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, policy_id) REFERENCES hr.time_off_policy (tenant_id, id) ON DELETE RESTRICT,
  -- One person is never off twice for the same day: live requests of one employee do not overlap.
  CONSTRAINT time_off_request_no_overlap EXCLUDE USING gist (
    tenant_id WITH =,
    employee_id WITH =,
    daterange(start_date, end_date, '[]') WITH &&
  ) WHERE (status IN ('requested', 'approved'))
);
CREATE INDEX time_off_request_employee_idx ON hr.time_off_request (tenant_id, employee_id, start_date);

CREATE TABLE hr.checklist (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  employee_id uuid NOT NULL,
  kind hr.checklist_kind NOT NULL,
  status hr.checklist_status NOT NULL DEFAULT 'open',
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  UNIQUE (tenant_id, id),
  CHECK ((status = 'completed') = (completed_at IS NOT NULL)),
  FOREIGN KEY (tenant_id, employee_id) REFERENCES hr.employee (tenant_id, id) ON DELETE CASCADE
);
-- At most one open checklist of each kind per person.
CREATE UNIQUE INDEX checklist_one_open_key ON hr.checklist (tenant_id, employee_id, kind)
  WHERE status = 'open';

CREATE TABLE hr.checklist_item (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  checklist_id uuid NOT NULL,
  position integer NOT NULL CHECK (position >= 1),
  title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
  owner hr.checklist_owner NOT NULL,
  due_date date NOT NULL,
  done_at timestamptz,
  -- Who ticked it off, when a person did.
  done_by uuid REFERENCES public."User" (id) ON DELETE SET NULL,
  UNIQUE (tenant_id, checklist_id, position),
  CHECK (done_by IS NULL OR done_at IS NOT NULL),
  FOREIGN KEY (tenant_id, checklist_id) REFERENCES hr.checklist (tenant_id, id) ON DELETE CASCADE
);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['department', 'employee', 'time_off_policy', 'time_off_balance',
                           'time_off_request', 'checklist', 'checklist_item'] LOOP
    EXECUTE format('ALTER TABLE hr.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE hr.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON hr.%I USING (tenant_id = app_current_tenant())
                    WITH CHECK (tenant_id = app_current_tenant())', t);
  END LOOP;
END $$;

-- People's records are never deleted by the app (a leaver is terminated); time off and checklists
-- neither (a request is cancelled, an item ticked off). Departments and policies may be removed
-- while nothing refers to them.
GRANT SELECT, INSERT, UPDATE ON hr.employee, hr.time_off_balance, hr.time_off_request,
  hr.checklist, hr.checklist_item TO tenet_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON hr.department, hr.time_off_policy TO tenet_app;

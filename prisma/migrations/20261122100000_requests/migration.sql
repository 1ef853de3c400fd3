-- Requests and approvals (server/requests): what people ask for, the approval tasks a request's
-- workflow opens, the decisions on them, each request's timeline, and each tenant's routing rules.
-- The workflow (server/workflows/functions/requests.ts) moves a request along; these rows are what the
-- pages read and what an approver's decision is checked against.
CREATE SCHEMA IF NOT EXISTS requests;
GRANT USAGE ON SCHEMA requests TO tenet_app;

CREATE TABLE requests.request (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  -- A request type of the catalog (server/requests/catalog.ts).
  type text NOT NULL CHECK (type ~ '^[a-z][a-z-]{1,40}$'),
  requester_id uuid NOT NULL REFERENCES public."User" (id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  input jsonb NOT NULL,
  status text NOT NULL DEFAULT 'submitted'
    CHECK (status IN ('submitted', 'planning', 'waiting', 'running', 'done', 'rejected', 'failed', 'cancelled')),
  -- Who it waits for, in words ("Maria Manager (manager)"), while status is 'waiting'.
  waiting_for text CHECK (length(waiting_for) <= 500),
  -- The plan approvers see: one entry per connector action, from kernel previews.
  plan jsonb,
  -- Why it ended as it did: the denial's comment, the kernel's reason, the connector's error.
  outcome text CHECK (length(outcome) <= 2000),
  -- What the connector actions returned, by plan step.
  results jsonb,
  run_id text CHECK (length(run_id) <= 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  UNIQUE (tenant_id, id)
);
CREATE INDEX request_requester ON requests.request (tenant_id, requester_id, created_at DESC);
CREATE INDEX request_open ON requests.request (tenant_id, status) WHERE status NOT IN ('done', 'rejected', 'failed', 'cancelled');

CREATE TABLE requests.approval_task (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  request_id uuid NOT NULL,
  -- Position in the chain (0-based); a chain's levels are decided one after the other.
  level int NOT NULL CHECK (level BETWEEN 0 AND 19),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  -- 'manager' or 'role:<role>': what an approval here counts as in the kernel (access/approval.ts).
  approver text NOT NULL CHECK (approver = 'manager' OR approver LIKE 'role:%'),
  -- Who may decide: [{ userId, delegationId? }]; a delegate decides for the person who delegated.
  assignees jsonb NOT NULL,
  -- N of M: approvals needed; a single denial rejects.
  required int NOT NULL DEFAULT 1 CHECK (required BETWEEN 1 AND 20),
  comment_on_deny boolean NOT NULL DEFAULT false,
  bulk_allowed boolean NOT NULL DEFAULT true,
  status text NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'approved', 'rejected', 'expired', 'cancelled')),
  remind_at timestamptz,
  escalate_at timestamptz,
  reminded_at timestamptz,
  escalated_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  UNIQUE (tenant_id, id),
  UNIQUE (request_id, level),
  FOREIGN KEY (tenant_id, request_id) REFERENCES requests.request (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX approval_task_open ON requests.approval_task (tenant_id, status) WHERE status = 'open';

CREATE TABLE requests.approval_decision (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  task_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES public."User" (id),
  decision text NOT NULL CHECK (decision IN ('approve', 'deny')),
  comment text CHECK (length(comment) <= 2000),
  -- Set when the decider acts for someone else (kernel.approval_delegation).
  delegation_id uuid,
  via text NOT NULL CHECK (via IN ('inbox', 'bulk', 'email')),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- One decision per person per task: a second click is refused, not counted twice.
  UNIQUE (task_id, user_id),
  FOREIGN KEY (tenant_id, task_id) REFERENCES requests.approval_task (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE requests.timeline (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  request_id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  kind text NOT NULL CHECK (length(kind) BETWEEN 1 AND 60),
  message text NOT NULL CHECK (length(message) BETWEEN 1 AND 2000),
  detail jsonb,
  FOREIGN KEY (tenant_id, request_id) REFERENCES requests.request (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX timeline_request ON requests.timeline (request_id, id);

CREATE TABLE requests.routing_rule (
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  type text NOT NULL,
  rule jsonb NOT NULL,
  updated_by uuid REFERENCES public."User" (id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, type)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['request', 'approval_task', 'approval_decision', 'timeline', 'routing_rule'] LOOP
    EXECUTE format('ALTER TABLE requests.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE requests.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON requests.%I USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON requests.request, requests.approval_task, requests.approval_decision TO tenet_app;
GRANT SELECT, INSERT ON requests.timeline TO tenet_app;
GRANT USAGE ON SEQUENCE requests.timeline_id_seq TO tenet_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON requests.routing_rule TO tenet_app;

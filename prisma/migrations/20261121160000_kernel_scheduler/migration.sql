-- The kernel's scheduler (server/kernel/scheduler/README.md): resource pools and the durable queue of
-- syscalls waiting for them. Schema `kernel`, written by hand and not in schema.prisma, like schema
-- `engine`: only the scheduler's plain SQL reads and writes it.
--
-- No row-level security here, on purpose: choosing the next syscall is a decision across tenants
-- (weighted fair share needs every tenant's queue at once), so the dispatcher must see all of them.
-- The rows hold scheduling metadata only (ids, priorities, times, token estimates), never a prompt,
-- an input or an output; what a tenant's admins are shown of them is filtered by tenant in
-- server/kernel/scheduler/stats.ts.
CREATE SCHEMA kernel;
GRANT USAGE ON SCHEMA kernel TO tenet_app;

-- A shared resource: a model endpoint or a connector's upstream, with its limits and ordering policy.
CREATE TABLE kernel.pool (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9:._-]{0,99}$'),
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
  kind text NOT NULL CHECK (kind IN ('model', 'connector')),
  policy text NOT NULL CHECK (policy IN ('fifo', 'round_robin', 'priority', 'fair_share', 'deadline')),
  concurrency integer NOT NULL CHECK (concurrency BETWEEN 1 AND 100000),
  requests_per_minute integer CHECK (requests_per_minute > 0),
  tokens_per_minute integer CHECK (tokens_per_minute > 0),
  tenant_concurrency integer CHECK (tenant_concurrency > 0),
  tenant_requests_per_minute integer CHECK (tenant_requests_per_minute > 0),
  tenant_tokens_per_minute integer CHECK (tenant_tokens_per_minute > 0),
  -- priority: points of priority a waiting syscall gains per second (no starvation).
  aging_per_second double precision NOT NULL DEFAULT 0.5 CHECK (aging_per_second >= 0 AND aging_per_second <= 1000),
  -- deadline: the deadline of a syscall that names none, counted from when it was queued.
  default_deadline_ms integer NOT NULL DEFAULT 60000 CHECK (default_deadline_ms BETWEEN 1 AND 86400000),
  -- Set when the provider answers 429: nothing is dispatched before it.
  paused_until timestamptz,
  backoff_ms integer NOT NULL DEFAULT 0 CHECK (backoff_ms >= 0),
  -- Policy state: the last agent served (round robin), the virtual clock (fair share).
  rr_cursor text,
  vclock double precision NOT NULL DEFAULT 0,
  rate_limited_total bigint NOT NULL DEFAULT 0,
  retries_total bigint NOT NULL DEFAULT 0,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid
);

-- Weighted fair share: a tenant's weight in one pool (1 when absent).
CREATE TABLE kernel.tenant_weight (
  pool_id text NOT NULL REFERENCES kernel.pool (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES "Tenant" (id) ON DELETE CASCADE,
  weight double precision NOT NULL CHECK (weight > 0 AND weight <= 1000),
  PRIMARY KEY (pool_id, tenant_id)
);

-- Weighted fair share: virtual time consumed by each tenant (agent_key '') and each agent.
CREATE TABLE kernel.share (
  pool_id text NOT NULL REFERENCES kernel.pool (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES "Tenant" (id) ON DELETE CASCADE,
  agent_key text NOT NULL,
  vtime double precision NOT NULL,
  -- On a tenant's row: the virtual clock of its agents.
  clock double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (pool_id, tenant_id, agent_key)
);

-- One syscall waiting for, holding, or done with a slot of a pool.
CREATE TABLE kernel.syscall (
  id bigserial PRIMARY KEY,
  pool_id text NOT NULL REFERENCES kernel.pool (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES "Tenant" (id) ON DELETE CASCADE,
  -- The agent's id, or "user:<id>" for a person.
  agent_key text NOT NULL,
  -- The workflow run it belongs to, so cancelling the run removes it from the queue.
  run_id text,
  label text NOT NULL,
  priority smallint NOT NULL CHECK (priority BETWEEN 0 AND 9),
  deadline timestamptz,
  tokens integer NOT NULL CHECK (tokens >= 0),
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  -- The app process waiting for it (its liveness lock: server/kernel/scheduler/liveness.ts).
  holder integer NOT NULL,
  enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- Since when it waits now (differs from enqueued_at after a provider's 429 put it back).
  queued_since timestamptz NOT NULL DEFAULT clock_timestamp(),
  granted_at timestamptz,
  finished_at timestamptz,
  -- Time spent waiting in the queue, over all attempts.
  queued_ms double precision NOT NULL DEFAULT 0,
  attempts smallint NOT NULL DEFAULT 0,
  rate_limited smallint NOT NULL DEFAULT 0,
  error text
);
CREATE INDEX syscall_active ON kernel.syscall (pool_id, id) WHERE state IN ('queued', 'running');
CREATE INDEX syscall_granted ON kernel.syscall (pool_id, granted_at) WHERE granted_at IS NOT NULL;
CREATE INDEX syscall_finished ON kernel.syscall (pool_id, finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX syscall_run ON kernel.syscall (tenant_id, run_id) WHERE state = 'queued' AND run_id IS NOT NULL;

-- Deployment-wide settings: which tenant's owners and admins operate the platform (edit pools, see
-- every tenant's scheduling numbers). Set with `npm run platform:operators -- <tenant-slug>`.
CREATE TABLE kernel.settings (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  operator_tenant_id uuid REFERENCES "Tenant" (id) ON DELETE SET NULL
);
INSERT INTO kernel.settings (singleton) VALUES (true);

GRANT SELECT, INSERT, UPDATE ON kernel.pool TO tenet_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON kernel.tenant_weight, kernel.share, kernel.syscall TO tenet_app;
GRANT USAGE ON SEQUENCE kernel.syscall_id_seq TO tenet_app;
GRANT SELECT ON kernel.settings TO tenet_app;

-- Operators see tenants by name on the Kernel page; row-level security rightly hides other tenants'
-- rows from the app role, so this returns names for the given ids and nothing else. The domain code
-- calls it only for members of the operator tenant (server/kernel/scheduler/stats.ts).
CREATE FUNCTION kernel.tenant_names(p_ids uuid[])
  RETURNS TABLE (id uuid, slug text, name text)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT t.id, t.slug, t.name FROM "Tenant" t WHERE t.id = ANY (p_ids) $$;
REVOKE ALL ON FUNCTION kernel.tenant_names(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kernel.tenant_names(uuid[]) TO tenet_app;

-- The language model every agent shares. Limits are conservative defaults; operators tune them on the
-- Kernel page to the provider's real quota.
INSERT INTO kernel.pool (id, label, kind, policy, concurrency, requests_per_minute, tokens_per_minute,
                         tenant_concurrency)
VALUES ('model:default', 'Language model', 'model', 'fair_share', 16, 3000, 1000000, NULL);

-- Tenet's workflow engine (server/engine): the durable state of an Inngest-compatible server.
--
-- It lives in its own schema, outside Prisma's datamodel: only the engine process reads and writes it
-- (the web app asks the engine over HTTP), it is shared by every tenant the way Inngest's own state is,
-- and the app role gets no privilege on it.
CREATE SCHEMA engine;

-- Apps synced through /fn/register, and the functions each declared at its latest sync.
CREATE TABLE engine.app (
  id         text PRIMARY KEY,
  url        text NOT NULL,
  sdk        text,
  framework  text,
  checksum   text NOT NULL,
  synced_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE engine.function (
  id            text PRIMARY KEY,
  app_id        text NOT NULL REFERENCES engine.app (id) ON DELETE CASCADE,
  name          text NOT NULL,
  url           text NOT NULL,
  config        jsonb NOT NULL,
  max_attempts  integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 21),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Event triggers: an exact name, or a prefix when the trigger ends in "*".
CREATE TABLE engine.trigger (
  function_id  text NOT NULL REFERENCES engine.function (id) ON DELETE CASCADE,
  position     integer NOT NULL,
  event_name   text NOT NULL,
  wildcard     boolean NOT NULL DEFAULT false,
  expression   text,
  PRIMARY KEY (function_id, position)
);
CREATE INDEX trigger_event_name ON engine.trigger (event_name);

CREATE TABLE engine.cron (
  function_id  text NOT NULL REFERENCES engine.function (id) ON DELETE CASCADE,
  position     integer NOT NULL,
  schedule     text NOT NULL,
  next_at      timestamptz NOT NULL,
  PRIMARY KEY (function_id, position)
);
CREATE INDEX cron_next_at ON engine.cron (next_at);

-- Every accepted event, as sent to functions.
CREATE TABLE engine.event (
  internal_id  text PRIMARY KEY,
  name         text NOT NULL,
  payload      jsonb NOT NULL,
  tenant_id    text,
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_received_at ON engine.event (received_at);
CREATE INDEX event_tenant ON engine.event (tenant_id, received_at);

-- Event ids seen in the deduplication window (24 hours): a second event with one id starts nothing.
CREATE TABLE engine.event_seen (
  id           text PRIMARY KEY,
  internal_id  text NOT NULL,
  seen_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_seen_at ON engine.event_seen (seen_at);

CREATE TABLE engine.run (
  id              text PRIMARY KEY,
  -- No foreign key: a run outlives a function that a later sync removed.
  function_id     text NOT NULL,
  app_id          text NOT NULL,
  status          text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
  event           jsonb NOT NULL,
  events          jsonb NOT NULL,
  tenant_id       text,
  -- Hashed ids of finished steps in the order they finished (the SDK's ctx.stack).
  stack           text[] NOT NULL DEFAULT '{}',
  output          jsonb,
  error           jsonb,
  priority        integer NOT NULL DEFAULT 0,
  concurrency     jsonb NOT NULL DEFAULT '[]',
  max_attempts    integer NOT NULL,
  parent_run_id   text,
  parent_step_id  text,
  rerun_of        text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  ended_at        timestamptz
);
CREATE INDEX run_created_at ON engine.run (created_at DESC);
CREATE INDEX run_function ON engine.run (function_id, created_at DESC);
CREATE INDEX run_tenant ON engine.run (tenant_id, created_at DESC);
CREATE INDEX run_status ON engine.run (status, created_at DESC);
CREATE INDEX run_parent ON engine.run (parent_run_id) WHERE parent_run_id IS NOT NULL;

-- Steps the SDK reported, and their memoized results (`state`, exactly what is sent back in `steps`).
CREATE TABLE engine.step (
  run_id      text NOT NULL REFERENCES engine.run (id) ON DELETE CASCADE,
  id          text NOT NULL,
  name        text NOT NULL,
  op          text NOT NULL,
  status      text NOT NULL CHECK (status IN ('planned', 'sleeping', 'waiting', 'invoking', 'completed', 'failed')),
  opts        jsonb,
  state       jsonb,
  attempts    integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  ended_at    timestamptz,
  PRIMARY KEY (run_id, id)
);

-- What happened to a run, in order: the console's step timeline.
CREATE TABLE engine.history (
  id          bigserial PRIMARY KEY,
  run_id      text NOT NULL REFERENCES engine.run (id) ON DELETE CASCADE,
  step_id     text,
  kind        text NOT NULL,
  attempt     integer,
  started_at  timestamptz,
  ended_at    timestamptz NOT NULL DEFAULT now(),
  data        jsonb
);
CREATE INDEX history_run ON engine.history (run_id, id);

-- The queue: calls to the app and timers. Claimed with FOR UPDATE SKIP LOCKED by any engine process.
CREATE TABLE engine.job (
  id                  bigserial PRIMARY KEY,
  run_id              text NOT NULL REFERENCES engine.run (id) ON DELETE CASCADE,
  kind                text NOT NULL CHECK (kind IN ('call', 'wake', 'wait_timeout', 'invoke_timeout')),
  -- For calls: NULL is discovery (stepId=step), else the hashed id of the step to execute.
  step_id             text,
  attempt             integer NOT NULL DEFAULT 0,
  available_at        timestamptz NOT NULL DEFAULT now(),
  -- available_at moved earlier by the run's priority: the dispatch order.
  sort_at             timestamptz NOT NULL DEFAULT now(),
  concurrency_keys    text[] NOT NULL DEFAULT '{}',
  concurrency_limits  integer[] NOT NULL DEFAULT '{}',
  claimed_by          uuid,
  claimed_until       timestamptz,
  dedupe              text NOT NULL
);
-- One unclaimed job per purpose (e.g. one pending discovery per run); a claimed one may have a successor.
CREATE UNIQUE INDEX job_dedupe ON engine.job (dedupe) WHERE claimed_by IS NULL;
CREATE INDEX job_ready ON engine.job (sort_at) WHERE claimed_by IS NULL;
CREATE INDEX job_available ON engine.job (available_at) WHERE claimed_by IS NULL;
CREATE INDEX job_claimed ON engine.job (claimed_by) WHERE claimed_by IS NOT NULL;
CREATE INDEX job_running_keys ON engine.job USING gin (concurrency_keys) WHERE claimed_by IS NOT NULL;
CREATE INDEX job_run ON engine.job (run_id);

-- Runs waiting for an event: step.waitForEvent ('wait') and cancelOn ('cancel').
CREATE TABLE engine.waiter (
  id          bigserial PRIMARY KEY,
  run_id      text NOT NULL REFERENCES engine.run (id) ON DELETE CASCADE,
  step_id     text,
  kind        text NOT NULL CHECK (kind IN ('wait', 'cancel')),
  event_name  text NOT NULL,
  expression  text,
  expires_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX waiter_event_name ON engine.waiter (event_name);
CREATE INDEX waiter_run ON engine.waiter (run_id);

-- A function's `idempotency` key: one run per key per 24 hours.
CREATE TABLE engine.idempotency (
  function_id  text NOT NULL,
  key          text NOT NULL,
  run_id       text NOT NULL,
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (function_id, key)
);

-- Engine processes. Each holds the advisory lock (7357, lock_key) on a connection of its own for as long
-- as it lives, so a process that died (even by kill -9) is seen at once and its claims are released.
CREATE TABLE engine.worker (
  id          uuid PRIMARY KEY,
  lock_key    integer NOT NULL UNIQUE,
  host        text NOT NULL,
  pid         integer NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now()
);

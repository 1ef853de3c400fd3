-- Webhooks (server/webhooks/): inbound endpoints that turn a signed POST into a workflow event, and
-- outbound subscriptions the webhook connector (connectors/webhooks/) delivers to. Schema
-- `integrations`, written by hand and not in schema.prisma; read and written by plain SQL.
--
-- Secrets are AES-256-GCM envelopes (server/connections/crypto.ts) bound to the tenant and the row,
-- so an envelope copied into another row or tenant does not decrypt. Only the hint is ever shown.
CREATE SCHEMA integrations;
GRANT USAGE ON SCHEMA integrations TO tenet_app;

-- The event an endpoint emits: `domain/noun.verb`, as every workflow event is named.
CREATE DOMAIN integrations.event_name AS text
  CHECK (VALUE ~ '^[a-z][a-z0-9-]{0,39}/[a-z][a-z0-9_-]{0,39}(\.[a-z][a-z0-9_-]{0,39}){1,3}$');

CREATE TABLE integrations.inbound_endpoint (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  event_name integrations.event_name NOT NULL,
  secret text NOT NULL,
  secret_key_id text NOT NULL,
  secret_hint text NOT NULL CHECK (length(secret_hint) <= 20),
  -- After a rotation the old secret still verifies until it expires, so the sender can switch over.
  previous_secret text,
  previous_secret_expires_at timestamptz,
  enabled boolean NOT NULL DEFAULT true,
  created_by uuid NOT NULL REFERENCES public."User" (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  CONSTRAINT inbound_endpoint_name UNIQUE (tenant_id, name),
  CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))
);

-- Every request that reached a known endpoint, accepted or not. The body itself is not kept (it went
-- to the workflow event); its digest is what replays are recognised by.
CREATE TABLE integrations.inbound_delivery (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  endpoint_id uuid NOT NULL,
  received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- The signed `t` of the Tenet-Signature header; null when there was none to read.
  signature_ts timestamptz,
  -- Null when the body was not read (too large).
  body_sha256 text CHECK (body_sha256 ~ '^[0-9a-f]{64}$'),
  body_bytes integer CHECK (body_bytes >= 0),
  status text NOT NULL CHECK (status IN ('accepted', 'rejected')),
  reason text CHECK (length(reason) BETWEEN 1 AND 500),
  -- The workflow event an accepted delivery was sent as.
  event_id text CHECK (length(event_id) <= 200),
  FOREIGN KEY (tenant_id, endpoint_id) REFERENCES integrations.inbound_endpoint (tenant_id, id) ON DELETE CASCADE,
  CHECK ((status = 'accepted') = (reason IS NULL)),
  CHECK (status = 'rejected' OR (signature_ts IS NOT NULL AND body_sha256 IS NOT NULL AND event_id IS NOT NULL))
);
-- A signed request is accepted once: the same body with the same signed time again is a replay. Only
-- accepted rows take part, so a forged request cannot block the genuine one by arriving first.
CREATE UNIQUE INDEX inbound_delivery_once
  ON integrations.inbound_delivery (endpoint_id, body_sha256, signature_ts) WHERE status = 'accepted';
CREATE INDEX inbound_delivery_recent ON integrations.inbound_delivery (tenant_id, endpoint_id, received_at DESC);

CREATE TABLE integrations.outbound_subscription (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  target_url text NOT NULL CHECK (target_url ~ '^https?://' AND length(target_url) <= 2000),
  -- Event names it takes: exact (`it/device.assigned`), a whole domain (`it/*`), or everything (`*`).
  events text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 50),
  secret text NOT NULL,
  secret_key_id text NOT NULL,
  secret_hint text NOT NULL CHECK (length(secret_hint) <= 20),
  enabled boolean NOT NULL DEFAULT true,
  -- Hosts the tenant deliberately reaches although the SSRF guard would refuse them (connectors/http/ssrf.ts).
  allow_hosts text[] NOT NULL DEFAULT '{}' CHECK (cardinality(allow_hosts) <= 20),
  created_by uuid NOT NULL REFERENCES public."User" (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  CONSTRAINT outbound_subscription_name UNIQUE (tenant_id, name)
);

-- One attempt to deliver one event to one subscription. Retrying is the caller's (the kernel's or a
-- workflow's): a retry of the same syscall is the next attempt of the same event id.
CREATE TABLE integrations.outbound_delivery (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  subscription_id uuid NOT NULL,
  event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
  event_name text NOT NULL CHECK (length(event_name) BETWEEN 1 AND 200),
  attempt integer NOT NULL CHECK (attempt >= 1),
  status text NOT NULL CHECK (status IN ('succeeded', 'failed')),
  response_status integer CHECK (response_status BETWEEN 100 AND 599),
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  error text CHECK (length(error) <= 1000),
  -- When the receiver asked to be tried again (its Retry-After), for whoever retries.
  next_attempt_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  FOREIGN KEY (tenant_id, subscription_id) REFERENCES integrations.outbound_subscription (tenant_id, id) ON DELETE CASCADE,
  UNIQUE (subscription_id, event_id, attempt),
  CHECK ((status = 'succeeded') = (error IS NULL)),
  CHECK (status = 'failed' OR response_status BETWEEN 200 AND 299)
);
CREATE INDEX outbound_delivery_recent ON integrations.outbound_delivery (tenant_id, subscription_id, created_at DESC);

ALTER TABLE integrations.inbound_endpoint ENABLE ROW LEVEL SECURITY;
ALTER TABLE integrations.inbound_endpoint FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON integrations.inbound_endpoint
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
ALTER TABLE integrations.inbound_delivery ENABLE ROW LEVEL SECURITY;
ALTER TABLE integrations.inbound_delivery FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON integrations.inbound_delivery
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
ALTER TABLE integrations.outbound_subscription ENABLE ROW LEVEL SECURITY;
ALTER TABLE integrations.outbound_subscription FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON integrations.outbound_subscription
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
ALTER TABLE integrations.outbound_delivery ENABLE ROW LEVEL SECURITY;
ALTER TABLE integrations.outbound_delivery FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON integrations.outbound_delivery
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

GRANT SELECT, INSERT, UPDATE ON integrations.inbound_endpoint, integrations.outbound_subscription TO tenet_app;
-- Deliveries are a log: written once, never changed by the app.
GRANT SELECT, INSERT ON integrations.inbound_delivery, integrations.outbound_delivery TO tenet_app;

-- An inbound request names only an endpoint id, and no tenant is set yet, so row-level security hides
-- the endpoint. This function (run as its owner, like app_tenant_ids) answers the one question the
-- route needs before it can enter the tenant: whose enabled endpoint is this? It returns the tenant id
-- and nothing else; an unknown or disabled endpoint gives null.
CREATE POLICY inbound_endpoint_lookup ON integrations.inbound_endpoint FOR SELECT TO CURRENT_USER USING (true);
CREATE FUNCTION integrations.inbound_endpoint_tenant(p_endpoint_id uuid)
  RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT e.tenant_id FROM integrations.inbound_endpoint e WHERE e.id = p_endpoint_id AND e.enabled $$;
REVOKE ALL ON FUNCTION integrations.inbound_endpoint_tenant(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION integrations.inbound_endpoint_tenant(uuid) TO tenet_app;

-- Mail (server/mail/): every message the app sends, and the signed single-use links mail carries.
-- Schema `mail`, hand-written and not in schema.prisma; read and written by plain SQL in server/mail/.

CREATE SCHEMA mail;
GRANT USAGE ON SCHEMA mail TO tenet_app;

-- Every message sendMail was asked to send, whether or not SMTP is configured: without SMTP this is the
-- only delivery (the Outbox page shows people their own mail), with it the record of what left.
-- Rows are never changed: sendMail sends first and records the outcome in one insert.
CREATE TABLE mail.outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The tenant the mail is about; null for mail about no tenant a recipient belongs to yet (invitations).
  tenant_id uuid REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  to_address text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 320),
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
  text_body text NOT NULL CHECK (length(text_body) <= 200000),
  html_body text CHECK (length(html_body) <= 500000),
  -- What the mail is, e.g. 'invite.created', 'approval.requested'.
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(kind) <= 100),
  delivered_via text NOT NULL CHECK (delivered_via IN ('smtp', 'outbox')),
  -- Why SMTP refused it (delivered_via 'smtp'); null when it went.
  error text CHECK (length(error) <= 2000),
  -- clock_timestamp, not now(): several mails sent in one transaction keep their order.
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK (error IS NULL OR delivered_via = 'smtp')
);
CREATE INDEX outbox_recipient ON mail.outbox (lower(to_address), created_at DESC, id DESC);
CREATE INDEX outbox_tenant ON mail.outbox (tenant_id, created_at DESC) WHERE tenant_id IS NOT NULL;

ALTER TABLE mail.outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE mail.outbox FORCE ROW LEVEL SECURITY;
-- A tenant's mail belongs to the tenant.
CREATE POLICY tenant_isolation ON mail.outbox
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
-- Mail about no tenant (invitations) may be recorded from any transaction, tenant-scoped or not; no
-- tenant ever reads it back (the policy above compares with null).
CREATE POLICY untenanted_insert ON mail.outbox FOR INSERT
  WITH CHECK (tenant_id IS NULL);
-- A person reads the mail addressed to them, from any tenant or none, like their own memberships
-- (Membership's membership_own_read). "User" has no row-level security, so the lookup sees the address.
CREATE POLICY recipient_read ON mail.outbox FOR SELECT
  USING (lower(to_address) = (SELECT lower(u.email) FROM public."User" u WHERE u.id = app_current_user()));

GRANT SELECT, INSERT ON mail.outbox TO tenet_app;

-- Links in mail that do one thing once (approve a request from the message, …): the token is 32 random
-- bytes in base64url and only its sha256 is stored, so the table cannot be turned back into links.
-- `purpose` and `subject_id` say what the link acts on; `payload` carries what the purpose needs.
CREATE TABLE mail.action_link (
  token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  -- Whom the link was mailed to; consuming may require that this is who is signed in.
  user_id uuid NOT NULL REFERENCES public."User" (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(purpose) <= 100),
  subject_id uuid NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (octet_length(payload::text) <= 10000),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (expires_at > created_at)
);
CREATE INDEX action_link_subject ON mail.action_link (tenant_id, purpose, subject_id);

ALTER TABLE mail.action_link ENABLE ROW LEVEL SECURITY;
ALTER TABLE mail.action_link FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mail.action_link
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

GRANT SELECT, INSERT, UPDATE ON mail.action_link TO tenet_app;

-- Whoever opens a link may not be signed in to its tenant, so no tenant is set yet and row-level
-- security hides the row. Like scim.live_tokens, this function (run as its owner) answers one question
-- and nothing else: the tenant of the link with this token hash, or no row. The app then reads and
-- consumes the link inside that tenant (server/mail/action-links.ts).
CREATE POLICY action_link_lookup ON mail.action_link FOR SELECT TO CURRENT_USER USING (true);
CREATE FUNCTION mail.action_link_tenant(p_token_hash bytea)
  RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT l.tenant_id FROM mail.action_link l WHERE l.token_hash = p_token_hash $$;
REVOKE ALL ON FUNCTION mail.action_link_tenant(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mail.action_link_tenant(bytea) TO tenet_app;

-- Tenet's SCIM 2.0 service provider (server/scim/): identity providers (Okta, Entra ID) provision a
-- tenant's people through it. Schema `scim`, hand-written and not in schema.prisma; read and written
-- by plain SQL in server/scim/. Plus the IT access catalog (server/it/access-catalog.ts) in schema `it`.

CREATE SCHEMA scim;
GRANT USAGE ON SCHEMA scim TO tenet_app;

-- A tenant's SCIM bearer tokens. Only the sha256 of a token is stored; the token is shown once. At
-- most one live token per tenant: rotating revokes the old one in the same transaction.
CREATE TABLE scim.token (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  -- What the UI shows to tell tokens apart ("tnt_scim_3f9a…"); not enough to guess the token.
  hint text NOT NULL CHECK (length(hint) BETWEEN 1 AND 40),
  created_by uuid NOT NULL REFERENCES public."User" (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid REFERENCES public."User" (id),
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE UNIQUE INDEX token_one_live_per_tenant ON scim.token (tenant_id) WHERE revoked_at IS NULL;

-- A person as the identity provider sees them. `resource` keeps the attributes the provider sent
-- (name, emails, enterprise extension, …) without id, meta and groups, which Tenet computes.
CREATE TABLE scim."user" (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES public."User" (id) ON DELETE CASCADE,
  user_name text NOT NULL CHECK (length(user_name) BETWEEN 1 AND 320),
  external_id text CHECK (length(external_id) BETWEEN 1 AND 500),
  active boolean NOT NULL DEFAULT true,
  resource jsonb NOT NULL CHECK (jsonb_typeof(resource) = 'object'),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  -- One SCIM identity per person per tenant.
  UNIQUE (tenant_id, user_id)
);
-- RFC 7643 §4.1.1: userName is unique within the service provider's tenant, case-insensitively.
CREATE UNIQUE INDEX user_user_name_unique ON scim."user" (tenant_id, lower(user_name));

CREATE TABLE scim."group" (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 500),
  external_id text CHECK (length(external_id) BETWEEN 1 AND 500),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX group_display_name_unique ON scim."group" (tenant_id, lower(display_name));

-- Members by SCIM user id; the tenant is part of both keys, so a member is always of the same tenant.
CREATE TABLE scim.group_member (
  tenant_id uuid NOT NULL,
  group_id uuid NOT NULL,
  scim_user_id uuid NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, scim_user_id),
  FOREIGN KEY (tenant_id, group_id) REFERENCES scim."group" (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, scim_user_id) REFERENCES scim."user" (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX group_member_user ON scim.group_member (tenant_id, scim_user_id);

ALTER TABLE scim.token ENABLE ROW LEVEL SECURITY;
ALTER TABLE scim.token FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scim.token
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
ALTER TABLE scim."user" ENABLE ROW LEVEL SECURITY;
ALTER TABLE scim."user" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scim."user"
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
ALTER TABLE scim."group" ENABLE ROW LEVEL SECURITY;
ALTER TABLE scim."group" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scim."group"
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
ALTER TABLE scim.group_member ENABLE ROW LEVEL SECURITY;
ALTER TABLE scim.group_member FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scim.group_member
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

GRANT SELECT, INSERT, UPDATE ON scim.token TO tenet_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON scim."user", scim."group", scim.group_member TO tenet_app;

-- A SCIM request names its tenant by slug and carries a bearer token; no tenant is set yet, so row-level
-- security hides both. This function (run as its owner, like app_tenant_ids) gives the live token
-- hashes of the tenant with that slug, and nothing else: the app compares them in constant time.
-- An unknown slug and a tenant without a token look the same (no rows).
CREATE POLICY scim_token_lookup ON scim.token FOR SELECT TO CURRENT_USER USING (true);
CREATE FUNCTION scim.live_tokens(p_slug text)
  RETURNS TABLE (tenant_id uuid, token_id uuid, token_hash text)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$
    SELECT t.id, k.id, k.token_hash
      FROM "Tenant" t JOIN scim.token k ON k.tenant_id = t.id
     WHERE t.slug = p_slug AND k.revoked_at IS NULL
  $$;
REVOKE ALL ON FUNCTION scim.live_tokens(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scim.live_tokens(text) TO tenet_app;

-- The IT access catalog: the apps people may ask for access to, and the roles in each. Schema `it` may
-- already exist (migration …_it_assets).
CREATE SCHEMA IF NOT EXISTS it;
GRANT USAGE ON SCHEMA it TO tenet_app;

CREATE TABLE it.app (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  -- The SCIM connection that provisions accounts in the app; null when access is granted by hand.
  scim_connection_id uuid,
  owner_user_id uuid NOT NULL REFERENCES public."User" (id),
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, scim_connection_id) REFERENCES public."Connection" ("tenantId", id) ON DELETE RESTRICT
);
CREATE UNIQUE INDEX app_name_unique ON it.app (tenant_id, lower(name));

CREATE TABLE it.app_role (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  app_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  -- The SCIM group (displayName) a grant adds the person to; null: the account alone.
  scim_group text CHECK (length(scim_group) BETWEEN 1 AND 500),
  -- The tenant role whose approval a request needs; null: granted without approval.
  approver_role "Role",
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, app_id) REFERENCES it.app (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX app_role_name_unique ON it.app_role (app_id, lower(name));

ALTER TABLE it.app ENABLE ROW LEVEL SECURITY;
ALTER TABLE it.app FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON it.app
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
ALTER TABLE it.app_role ENABLE ROW LEVEL SECURITY;
ALTER TABLE it.app_role FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON it.app_role
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

GRANT SELECT, INSERT, UPDATE ON it.app, it.app_role TO tenet_app;

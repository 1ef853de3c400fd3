-- The tenant directory: every tenant's id, for system work done for each tenant in turn (the nightly
-- audit verification, server/workflows/functions/audit-verify-nightly.ts). Row-level security hides
-- other tenants from the app role, and rightly so; this function is the one way the app may enumerate
-- tenants, and it yields ids only: no names, nothing a tenant owns. No change to schema.prisma.

-- SECURITY DEFINER functions run as their owner, the role that runs migrations. FORCE ROW LEVEL
-- SECURITY applies to that role too (unless it is a superuser), so it gets a read-only policy of its
-- own; the app role's policies are unchanged.
CREATE POLICY tenant_directory_read ON "Tenant" FOR SELECT TO CURRENT_USER USING (true);

-- Keyset pages in id order: the ids after p_after (all, when null), at most p_limit of them.
CREATE FUNCTION app_tenant_ids(p_after uuid, p_limit integer)
  RETURNS SETOF uuid
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$
    SELECT t.id FROM "Tenant" t
    WHERE p_after IS NULL OR t.id > p_after
    ORDER BY t.id
    LIMIT least(greatest(p_limit, 1), 10000)
  $$;
REVOKE ALL ON FUNCTION app_tenant_ids(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_tenant_ids(uuid, integer) TO tenet_app;

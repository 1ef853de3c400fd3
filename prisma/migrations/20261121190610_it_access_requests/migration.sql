-- Requests for a role of an app in the IT access catalog (it.app, it.app_role: migration …_scim),
-- recorded by the `it` connector's it.access.request (server/it/access-requests.ts). Deciding and
-- granting them (through the app's SCIM connection) is the request and approval flow's; it moves
-- `status` on.
CREATE TABLE it.access_request (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  role_id uuid NOT NULL,
  -- For whom.
  user_id uuid NOT NULL REFERENCES public."User" (id),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
  -- The role's approver when the request was made (null: none needed); later changes to the role do
  -- not change what this request needs.
  approver_role "Role",
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'approved', 'rejected', 'granted', 'cancelled')),
  -- Who asked: a person (requested_by), or an agent's or workflow's kernel syscall.
  requested_by uuid REFERENCES public."User" (id) ON DELETE SET NULL,
  requested_syscall text CHECK (length(requested_syscall) <= 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, role_id) REFERENCES it.app_role (tenant_id, id)
);
-- One open request per person and role: asking again while one is open is a conflict, not a second row.
CREATE UNIQUE INDEX access_request_one_open ON it.access_request (role_id, user_id)
  WHERE status IN ('pending', 'approved');
CREATE INDEX access_request_user ON it.access_request (tenant_id, user_id, created_at DESC);

ALTER TABLE it.access_request ENABLE ROW LEVEL SECURITY;
ALTER TABLE it.access_request FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON it.access_request
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

GRANT SELECT, INSERT, UPDATE ON it.access_request TO tenet_app;

-- Approval delegations (server/kernel/access/delegations.ts): a member lets another approve in their
-- place, while away (out_of_office, dated), or an admin hands one approval task to someone else
-- (reassigned, escalated: task_id set). The kernel honours an approval that names a delegation only
-- when the row is active and its delegator could have given the approval themselves
-- (server/kernel/access/principals.ts verifyApprovals).
CREATE TABLE kernel.approval_delegation (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  -- Who would have approved, and who approves in their place.
  from_user_id uuid NOT NULL REFERENCES public."User" (id),
  to_user_id uuid NOT NULL REFERENCES public."User" (id),
  starts_at timestamptz NOT NULL,
  -- Null: until revoked.
  ends_at timestamptz,
  reason text NOT NULL CHECK (reason IN ('out_of_office', 'reassigned', 'escalated')),
  -- The approval task (schema `requests`) a reassignment or escalation is for. No foreign key: that
  -- table belongs to the requests domain's migration, and the kernel never reads it.
  task_id uuid,
  note text CHECK (length(note) <= 500),
  created_by uuid REFERENCES public."User" (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoked_by uuid REFERENCES public."User" (id) ON DELETE SET NULL,
  CHECK (from_user_id <> to_user_id),
  CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX approval_delegation_to ON kernel.approval_delegation (tenant_id, to_user_id);
CREATE INDEX approval_delegation_from ON kernel.approval_delegation (tenant_id, from_user_id);

ALTER TABLE kernel.approval_delegation ENABLE ROW LEVEL SECURITY;
ALTER TABLE kernel.approval_delegation FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kernel.approval_delegation
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

GRANT SELECT, INSERT, UPDATE ON kernel.approval_delegation TO tenet_app;

-- IT asset inventory: the tenant's devices and who has each one (server/it/devices.ts). Schema `it`,
-- written by hand and not in schema.prisma; the access catalog (it.app, it.app_role) joins it in a
-- later migration, hence IF NOT EXISTS.
CREATE SCHEMA IF NOT EXISTS it;
GRANT USAGE ON SCHEMA it TO tenet_app;

CREATE TABLE it.device (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  asset_tag text NOT NULL CHECK (asset_tag ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
  kind text NOT NULL
    CHECK (kind IN ('laptop', 'desktop', 'phone', 'tablet', 'monitor', 'dock', 'keyboard', 'mouse', 'headset', 'other')),
  model text NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
  -- Accessories often have none; when given, one per tenant.
  serial text CHECK (length(serial) BETWEEN 1 AND 100),
  status text NOT NULL DEFAULT 'in_stock' CHECK (status IN ('in_stock', 'assigned', 'repair', 'retired')),
  purchased_at date,
  warranty_until date,
  notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT device_tenant_id UNIQUE (tenant_id, id),
  CONSTRAINT device_asset_tag UNIQUE (tenant_id, asset_tag),
  CONSTRAINT device_serial UNIQUE (tenant_id, serial),
  CONSTRAINT device_warranty_after_purchase
    CHECK (warranty_until IS NULL OR purchased_at IS NULL OR warranty_until >= purchased_at)
);
CREATE INDEX device_kind_in_stock ON it.device (tenant_id, kind, asset_tag) WHERE status = 'in_stock';

-- One row per time a device was handed to someone; history is kept (a device with any is retired,
-- never deleted: NO ACTION below refuses the delete, while a tenant's deletion still removes both).
CREATE TABLE it.device_assignment (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  device_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES public."User" (id),
  assigned_at timestamptz NOT NULL DEFAULT now(),
  returned_at timestamptz,
  condition_out text NOT NULL DEFAULT '' CHECK (length(condition_out) <= 2000),
  condition_in text CHECK (length(condition_in) <= 2000),
  -- Who did it: a person (assigned_by) or a kernel syscall of an agent or workflow (syscall_id).
  assigned_by uuid REFERENCES public."User" (id) ON DELETE SET NULL,
  assigned_syscall text CHECK (length(assigned_syscall) <= 100),
  returned_by uuid REFERENCES public."User" (id) ON DELETE SET NULL,
  returned_syscall text CHECK (length(returned_syscall) <= 100),
  FOREIGN KEY (tenant_id, device_id) REFERENCES it.device (tenant_id, id),
  CONSTRAINT device_assignment_return_after_assign CHECK (returned_at IS NULL OR returned_at >= assigned_at),
  CONSTRAINT device_assignment_condition_on_return CHECK (returned_at IS NOT NULL OR condition_in IS NULL)
);
-- A device is with at most one person at a time: of two concurrent assignments, one commits.
CREATE UNIQUE INDEX device_assignment_open ON it.device_assignment (device_id) WHERE returned_at IS NULL;
CREATE INDEX device_assignment_device ON it.device_assignment (tenant_id, device_id, assigned_at DESC);
CREATE INDEX device_assignment_user ON it.device_assignment (tenant_id, user_id, assigned_at DESC);

-- A device's status says 'assigned' exactly when it has an open assignment. Checked at commit, after
-- both rows of an assign or a return are written, so no SQL outside devices.ts can split them.
CREATE FUNCTION it.check_device_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_device uuid;
  v_status text;
  v_open boolean;
BEGIN
  IF TG_TABLE_NAME = 'device' THEN
    v_device := NEW.id;
  ELSE
    v_device := NEW.device_id;
  END IF;
  SELECT status INTO v_status FROM it.device WHERE id = v_device;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  v_open := EXISTS (SELECT 1 FROM it.device_assignment WHERE device_id = v_device AND returned_at IS NULL);
  IF (v_status = 'assigned') <> v_open THEN
    RAISE EXCEPTION 'device % has status % but % open assignment', v_device, v_status,
      CASE WHEN v_open THEN 'an' ELSE 'no' END
      USING ERRCODE = 'IT001';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER device_status_matches_assignment
  AFTER INSERT OR UPDATE ON it.device DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION it.check_device_status();
CREATE CONSTRAINT TRIGGER device_assignment_matches_status
  AFTER INSERT OR UPDATE ON it.device_assignment DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION it.check_device_status();

ALTER TABLE it.device ENABLE ROW LEVEL SECURITY;
ALTER TABLE it.device FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON it.device
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
ALTER TABLE it.device_assignment ENABLE ROW LEVEL SECURITY;
ALTER TABLE it.device_assignment FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON it.device_assignment
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON it.device TO tenet_app;
-- Assignments are history: opened and closed, never deleted by the app.
GRANT SELECT, INSERT, UPDATE ON it.device_assignment TO tenet_app;
GRANT EXECUTE ON FUNCTION it.check_device_status() TO tenet_app;

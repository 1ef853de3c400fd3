-- A device may go to an HR employee record rather than to a Tenet account: a new hire's laptop is
-- handed out (by the onboarding request) before they have an account. An assignment names its holder
-- by account (user_id), by employee record (employee_id), or by both when the record is linked to an
-- account. RLS, grants and the status trigger of it.device_assignment (migration …_it_assets) apply
-- as they are.
ALTER TABLE it.device_assignment ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE it.device_assignment ADD COLUMN employee_id uuid;
-- Employee records are closed (terminated), not deleted, so NO ACTION keeps the history; a tenant's
-- deletion removes both tables' rows in one statement.
ALTER TABLE it.device_assignment
  ADD CONSTRAINT device_assignment_employee FOREIGN KEY (tenant_id, employee_id) REFERENCES hr.employee (tenant_id, id);
ALTER TABLE it.device_assignment
  ADD CONSTRAINT device_assignment_holder CHECK (user_id IS NOT NULL OR employee_id IS NOT NULL);
CREATE INDEX device_assignment_employee_idx ON it.device_assignment (tenant_id, employee_id, assigned_at DESC)
  WHERE employee_id IS NOT NULL;

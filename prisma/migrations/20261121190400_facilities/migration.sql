-- Facilities (server/facilities/): sites, bookable spaces, bookings and their occurrences, maintenance
-- tickets and visitors. Schema `facilities`, written by hand and not in schema.prisma: only the plain
-- SQL of server/facilities/ reads and writes it. Every table carries tenant_id with forced row-level
-- security, and foreign keys include tenant_id, so no row can point into another tenant. Foreign keys
-- between these tables are NO ACTION (checked at the end of the statement), so deleting a tenant
-- cascades through all of them in any order, while deleting a site or space still in use is refused.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE SCHEMA facilities;
GRANT USAGE ON SCHEMA facilities TO tenet_app;

-- A building or campus. Bookings in its spaces repeat on its wall clock unless they name another zone.
CREATE TABLE facilities.site (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  -- An IANA name; server/calendar/zoned.ts checks that the runtime knows it.
  time_zone text NOT NULL CHECK (time_zone ~ '^[A-Za-z][A-Za-z0-9_+/-]{0,63}$'),
  address text NOT NULL DEFAULT '' CHECK (length(address) <= 1000),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, name)
);

-- Something people book: a room, a desk or a piece of equipment.
CREATE TABLE facilities.space (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  site_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('room', 'desk', 'equipment')),
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  capacity integer CHECK (capacity BETWEEN 1 AND 100000),
  features text[] NOT NULL DEFAULT '{}' CHECK (cardinality(features) <= 50),
  bookable boolean NOT NULL DEFAULT true,
  -- The secret in the space's private iCalendar feed URL: random (server/facilities/spaces.ts), and
  -- rotated by an admin when the URL leaks.
  feed_token text NOT NULL UNIQUE CHECK (feed_token ~ '^[A-Za-z0-9_-]{32,128}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, site_id, id),
  UNIQUE (tenant_id, site_id, name),
  FOREIGN KEY (tenant_id, site_id) REFERENCES facilities.site (tenant_id, id)
);

-- A booking of a space: one occurrence, or a series (rrule) expanded into booking_occurrence rows.
-- starts_at/ends_at are the first occurrence; local_start is its wall clock in time_zone, which is what
-- the series repeats on (RFC 5545 §3.3.10), kept because a start in a DST gap does not round-trip.
CREATE TABLE facilities.booking (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  space_id uuid NOT NULL,
  -- Null when an agent or workflow booked without naming a person.
  booked_by uuid REFERENCES public."User" (id) ON DELETE SET NULL,
  title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
  -- Others see a private booking's time and holder, not its title.
  private boolean NOT NULL DEFAULT false,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  local_start timestamp NOT NULL,
  time_zone text NOT NULL CHECK (time_zone ~ '^[A-Za-z][A-Za-z0-9_+/-]{0,63}$'),
  rrule text CHECK (length(rrule) <= 500),
  -- The last occurrence's start, for a series.
  recurrence_until timestamptz,
  status text NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),
  -- The series a recurring booking belongs to (its own id unless split from another).
  series_id uuid,
  -- RFC 5545 §3.8.7.4 SEQUENCE: raised on every change the invite and feed must show.
  sequence integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
  -- The kernel syscall that made it: a retried syscall finds its booking instead of making another.
  syscall_id text CHECK (length(syscall_id) <= 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  cancelled_at timestamptz,
  CHECK (starts_at < ends_at),
  CHECK ((rrule IS NULL) = (recurrence_until IS NULL)),
  CHECK (rrule IS NULL OR series_id IS NOT NULL),
  CHECK (recurrence_until IS NULL OR recurrence_until >= starts_at),
  CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, id, space_id),
  UNIQUE (tenant_id, syscall_id),
  FOREIGN KEY (tenant_id, space_id) REFERENCES facilities.space (tenant_id, id)
);
CREATE INDEX booking_space_idx ON facilities.booking (tenant_id, space_id, starts_at);
CREATE INDEX booking_booked_by_idx ON facilities.booking (tenant_id, booked_by, starts_at);

-- One occurrence of a booking. The exclusion constraint is the last wall against double booking: no
-- two live occurrences of one space overlap, whatever code or SQL inserts them (the kernel's lease on
-- `space:<id>` is the first wall, for calls that run at the same time).
CREATE TABLE facilities.booking_occurrence (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  booking_id uuid NOT NULL,
  space_id uuid NOT NULL,
  -- The wall-clock start the rule produced: the occurrence's RECURRENCE-ID, and its EXDATE once cancelled.
  local_start timestamp NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  during tstzrange GENERATED ALWAYS AS (tstzrange(starts_at, ends_at, '[)')) STORED,
  cancelled boolean NOT NULL DEFAULT false,
  CHECK (starts_at < ends_at),
  UNIQUE (tenant_id, booking_id, local_start),
  -- The occurrence's space is its booking's space.
  FOREIGN KEY (tenant_id, booking_id, space_id)
    REFERENCES facilities.booking (tenant_id, id, space_id) ON DELETE CASCADE,
  CONSTRAINT booking_occurrence_no_overlap
    EXCLUDE USING gist (tenant_id WITH =, space_id WITH =, during WITH &&) WHERE (NOT cancelled)
);
CREATE INDEX booking_occurrence_booking_idx ON facilities.booking_occurrence (tenant_id, booking_id, starts_at);

-- A maintenance ticket about a site or one of its spaces. sla_due_at is computed from the priority
-- when the ticket is filed (server/facilities/tickets.ts, SLA table) and stored, so a later change of
-- the table does not move old tickets' deadlines; whether it is breached is computed on read.
CREATE TABLE facilities.maintenance_ticket (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  site_id uuid NOT NULL,
  space_id uuid,
  reporter_id uuid REFERENCES public."User" (id) ON DELETE SET NULL,
  title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
  priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
  sla_due_at timestamptz NOT NULL,
  assignee_id uuid REFERENCES public."User" (id) ON DELETE SET NULL,
  resolved_at timestamptz,
  syscall_id text CHECK (length(syscall_id) <= 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (sla_due_at > created_at),
  CHECK ((status IN ('resolved', 'closed')) = (resolved_at IS NOT NULL)),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, syscall_id),
  FOREIGN KEY (tenant_id, site_id) REFERENCES facilities.site (tenant_id, id),
  -- A ticket about a space is about that space's site.
  FOREIGN KEY (tenant_id, site_id, space_id) REFERENCES facilities.space (tenant_id, site_id, id)
);
CREATE INDEX maintenance_ticket_queue_idx ON facilities.maintenance_ticket (tenant_id, status, sla_due_at);

-- A visitor expected at a site, hosted by a member.
CREATE TABLE facilities.visitor (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public."Tenant" (id) ON DELETE CASCADE,
  site_id uuid NOT NULL,
  host_id uuid REFERENCES public."User" (id) ON DELETE SET NULL,
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  email text CHECK (email ~ '^[^\s@]+@[^\s@]+$' AND length(email) <= 320),
  company text CHECK (length(company) <= 200),
  expected_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'expected'
    CHECK (status IN ('expected', 'checked_in', 'checked_out', 'cancelled')),
  badge_number text CHECK (length(btrim(badge_number)) BETWEEN 1 AND 50),
  checked_in_at timestamptz,
  checked_out_at timestamptz,
  syscall_id text CHECK (length(syscall_id) <= 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- A badge is handed out at check-in and recorded for good; checking out does not erase it.
  CHECK ((status IN ('checked_in', 'checked_out')) = (checked_in_at IS NOT NULL AND badge_number IS NOT NULL)),
  CHECK ((status = 'checked_out') = (checked_out_at IS NOT NULL)),
  CHECK (checked_out_at IS NULL OR checked_out_at >= checked_in_at),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, syscall_id),
  FOREIGN KEY (tenant_id, site_id) REFERENCES facilities.site (tenant_id, id)
);
-- One badge is worn by one visitor at a time per site.
CREATE UNIQUE INDEX visitor_badge_in_use ON facilities.visitor (tenant_id, site_id, badge_number)
  WHERE status = 'checked_in';
CREATE INDEX visitor_day_idx ON facilities.visitor (tenant_id, site_id, expected_at);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['site', 'space', 'booking', 'booking_occurrence', 'maintenance_ticket', 'visitor'] LOOP
    EXECUTE format('ALTER TABLE facilities.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE facilities.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON facilities.%I USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())',
      t);
  END LOOP;
END
$$;

-- Sites and spaces are deleted by admins (refused while anything refers to them); bookings, tickets
-- and visitors are cancelled or closed, never deleted, so their history stays.
GRANT SELECT, INSERT, UPDATE, DELETE ON facilities.site, facilities.space TO tenet_app;
GRANT SELECT, INSERT, UPDATE ON facilities.booking, facilities.booking_occurrence,
  facilities.maintenance_ticket, facilities.visitor TO tenet_app;

-- A feed URL is opened by calendar clients without a session, so before any tenant is known: this
-- function is the one way to learn a space's tenant, and only with the space's feed token. It runs as
-- its owner (the role that runs migrations), which FORCE ROW LEVEL SECURITY also binds unless it is a
-- superuser, hence the owner's read-only policy; the app role's policies are unchanged.
CREATE POLICY feed_lookup ON facilities.space FOR SELECT TO CURRENT_USER USING (true);

CREATE FUNCTION facilities.feed_tenant(p_space_id uuid, p_token text)
  RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = facilities, pg_temp
  AS $$ SELECT s.tenant_id FROM facilities.space s WHERE s.id = p_space_id AND s.feed_token = p_token $$;
REVOKE ALL ON FUNCTION facilities.feed_tenant(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION facilities.feed_tenant(uuid, text) TO tenet_app;

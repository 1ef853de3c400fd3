-- CreateEnum
CREATE TYPE "AuditActorType" AS ENUM ('user', 'agent', 'workflow', 'system');

-- CreateEnum
CREATE TYPE "AuditOutcome" AS ENUM ('allowed', 'denied', 'approval_required', 'approved', 'rejected', 'succeeded', 'failed', 'recorded');

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "actorType" "AuditActorType" NOT NULL,
    "actorId" TEXT,
    "actorLabel" TEXT NOT NULL,
    "onBehalfOfId" TEXT,
    "onBehalfOfLabel" TEXT,
    "action" TEXT NOT NULL,
    "resourceType" TEXT,
    "resourceId" TEXT,
    "resourceLabel" TEXT,
    "outcome" "AuditOutcome" NOT NULL,
    "reasons" TEXT[],
    "detail" JSONB NOT NULL,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditEntry_tenantId_at_idx" ON "AuditEntry"("tenantId", "at");

-- CreateIndex
CREATE INDEX "AuditEntry_tenantId_actorType_actorId_idx" ON "AuditEntry"("tenantId", "actorType", "actorId");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEntry_tenantId_seq_key" ON "AuditEntry"("tenantId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "AuditCheckpoint_tenantId_seq_key" ON "AuditCheckpoint"("tenantId", "seq");

-- AddForeignKey
ALTER TABLE "AuditEntry" ADD CONSTRAINT "AuditEntry_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "AuditCheckpoint" ADD CONSTRAINT "AuditCheckpoint_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;



-- ---------------------------------------------------------------------------------------------------
-- Hand-written below: integrity checks, row-level security, grants and the append-only trigger
-- (see docs/database.md and server/kernel/audit/README.md).
-- ---------------------------------------------------------------------------------------------------

ALTER TABLE "AuditEntry" ADD CONSTRAINT "AuditEntry_seq_check" CHECK ("seq" > 0);
ALTER TABLE "AuditEntry" ADD CONSTRAINT "AuditEntry_hash_check"
  CHECK ("hash" ~ '^[0-9a-f]{64}$' AND "prevHash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "AuditCheckpoint" ADD CONSTRAINT "AuditCheckpoint_seq_check" CHECK ("seq" > 0);

ALTER TABLE "AuditEntry" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "AuditEntry" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AuditEntry"
  USING ("tenantId" = app_current_tenant()) WITH CHECK ("tenantId" = app_current_tenant());

ALTER TABLE "AuditCheckpoint" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "AuditCheckpoint" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AuditCheckpoint"
  USING ("tenantId" = app_current_tenant()) WITH CHECK ("tenantId" = app_current_tenant());

-- appendAudit's first step, in one round trip: lock the tenant's chain until the transaction ends, then
-- read its head, the tenant the transaction is scoped to and the database clock. The function is
-- VOLATILE, so under READ COMMITTED the read after the lock takes a new snapshot and sees the entry the
-- previous lock holder committed. SECURITY INVOKER (the default): row-level security still applies.
CREATE FUNCTION audit_lock_chain(p_tenant uuid)
  RETURNS TABLE (current_tenant uuid, now_ms bigint, head_seq bigint, head_hash text)
  LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(726174002, hashtext(p_tenant::text));
  RETURN QUERY
    SELECT app_current_tenant(), floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint, h.seq, h.hash
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (
      SELECT e.seq, e.hash FROM "AuditEntry" e WHERE e."tenantId" = p_tenant ORDER BY e.seq DESC LIMIT 1
    ) AS h ON true;
END
$$;
GRANT EXECUTE ON FUNCTION audit_lock_chain(uuid) TO tenet_app;

-- The log is append-only for the app: it may read and add, never change or remove.
GRANT SELECT, INSERT ON "AuditEntry", "AuditCheckpoint" TO tenet_app;

-- And for everyone else: even the owner gets an error instead of a silent edit. Someone who can
-- disable triggers can still tamper; the hash chain and the signed checkpoints are what detect that.
-- Statement-level, so a DELETE or UPDATE that matches no row is refused too.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % on "%" is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER audit_entry_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON "AuditEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_checkpoint_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON "AuditCheckpoint"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

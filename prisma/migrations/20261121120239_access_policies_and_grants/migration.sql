-- CreateEnum
CREATE TYPE "GrantRequestStatus" AS ENUM ('pending', 'approved', 'denied');

-- CreateTable
CREATE TABLE "PolicyVersion" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PolicyVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Agent" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "skillId" TEXT NOT NULL,
    "skillName" TEXT NOT NULL,
    "skillVersion" TEXT NOT NULL,
    "publisher" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabledAt" TIMESTAMPTZ(3),

    CONSTRAINT "Agent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessGrant" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "agentId" UUID NOT NULL,
    "actions" TEXT[],
    "resourceType" TEXT,
    "resourceId" TEXT,
    "reason" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),
    "revokedById" UUID,

    CONSTRAINT "AccessGrant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GrantRequest" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "agentId" UUID NOT NULL,
    "actingForId" UUID NOT NULL,
    "actions" TEXT[],
    "resourceType" TEXT,
    "resourceId" TEXT,
    "durationMinutes" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "status" "GrantRequestStatus" NOT NULL DEFAULT 'pending',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedById" UUID,
    "decidedAt" TIMESTAMPTZ(3),
    "comment" TEXT,
    "grantId" UUID,

    CONSTRAINT "GrantRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessState" (
    "tenantId" UUID NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccessState_pkey" PRIMARY KEY ("tenantId")
);

-- CreateIndex
CREATE UNIQUE INDEX "PolicyVersion_tenantId_version_key" ON "PolicyVersion"("tenantId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "Agent_tenantId_id_key" ON "Agent"("tenantId", "id");

-- CreateIndex
CREATE INDEX "AccessGrant_tenantId_agentId_idx" ON "AccessGrant"("tenantId", "agentId");

-- CreateIndex
CREATE UNIQUE INDEX "AccessGrant_tenantId_id_key" ON "AccessGrant"("tenantId", "id");

-- CreateIndex
CREATE INDEX "GrantRequest_tenantId_status_idx" ON "GrantRequest"("tenantId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "GrantRequest_tenantId_id_key" ON "GrantRequest"("tenantId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "GrantRequest_tenantId_grantId_key" ON "GrantRequest"("tenantId", "grantId");

-- AddForeignKey
ALTER TABLE "PolicyVersion" ADD CONSTRAINT "PolicyVersion_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PolicyVersion" ADD CONSTRAINT "PolicyVersion_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Agent" ADD CONSTRAINT "Agent_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessGrant" ADD CONSTRAINT "AccessGrant_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessGrant" ADD CONSTRAINT "AccessGrant_tenantId_agentId_fkey" FOREIGN KEY ("tenantId", "agentId") REFERENCES "Agent"("tenantId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessGrant" ADD CONSTRAINT "AccessGrant_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessGrant" ADD CONSTRAINT "AccessGrant_revokedById_fkey" FOREIGN KEY ("revokedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GrantRequest" ADD CONSTRAINT "GrantRequest_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GrantRequest" ADD CONSTRAINT "GrantRequest_tenantId_agentId_fkey" FOREIGN KEY ("tenantId", "agentId") REFERENCES "Agent"("tenantId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GrantRequest" ADD CONSTRAINT "GrantRequest_actingForId_fkey" FOREIGN KEY ("actingForId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GrantRequest" ADD CONSTRAINT "GrantRequest_decidedById_fkey" FOREIGN KEY ("decidedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GrantRequest" ADD CONSTRAINT "GrantRequest_tenantId_grantId_fkey" FOREIGN KEY ("tenantId", "grantId") REFERENCES "AccessGrant"("tenantId", "id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessState" ADD CONSTRAINT "AccessState_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Row-level security: every table here belongs to one tenant.
ALTER TABLE "PolicyVersion" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "PolicyVersion" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "PolicyVersion"
  USING ("tenantId" = app_current_tenant()) WITH CHECK ("tenantId" = app_current_tenant());

ALTER TABLE "Agent" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "Agent" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "Agent"
  USING ("tenantId" = app_current_tenant()) WITH CHECK ("tenantId" = app_current_tenant());

ALTER TABLE "AccessGrant" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "AccessGrant" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AccessGrant"
  USING ("tenantId" = app_current_tenant()) WITH CHECK ("tenantId" = app_current_tenant());

ALTER TABLE "GrantRequest" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "GrantRequest" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "GrantRequest"
  USING ("tenantId" = app_current_tenant()) WITH CHECK ("tenantId" = app_current_tenant());

ALTER TABLE "AccessState" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "AccessState" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AccessState"
  USING ("tenantId" = app_current_tenant()) WITH CHECK ("tenantId" = app_current_tenant());

-- Policy versions are history: the app adds new ones and never edits or removes old ones.
GRANT SELECT, INSERT ON "PolicyVersion" TO tenet_app;
GRANT SELECT, INSERT, UPDATE ON "Agent", "AccessGrant", "GrantRequest", "AccessState" TO tenet_app;

-- Every change to what a tenant's agents and users may do bumps the tenant's access version in the
-- same transaction, whoever writes it, so each process's cached policy set is reloaded on its next
-- syscall (server/kernel/access/store.ts). Deletes only happen when a tenant is deleted: not counted.
CREATE FUNCTION access_state_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "AccessState" ("tenantId", "version", "updatedAt") VALUES (NEW."tenantId", 1, now())
  ON CONFLICT ("tenantId") DO UPDATE
    SET "version" = "AccessState"."version" + 1, "updatedAt" = now();
  RETURN NULL;
END
$$;

CREATE TRIGGER policy_version_bumps_access
  AFTER INSERT ON "PolicyVersion" FOR EACH ROW EXECUTE FUNCTION access_state_bump();
CREATE TRIGGER access_grant_bumps_access
  AFTER INSERT OR UPDATE ON "AccessGrant" FOR EACH ROW EXECUTE FUNCTION access_state_bump();
CREATE TRIGGER agent_bumps_access
  AFTER INSERT OR UPDATE ON "Agent" FOR EACH ROW EXECUTE FUNCTION access_state_bump();

-- CreateEnum
CREATE TYPE "ConnectionStatus" AS ENUM ('untested', 'working', 'failing');

-- CreateTable
CREATE TABLE "Connection" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "connectorId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "ConnectionStatus" NOT NULL DEFAULT 'untested',
    "credentials" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "credentialsHint" TEXT NOT NULL,
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "lastUsedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Connection_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Connection_keyId_idx" ON "Connection"("keyId");

-- CreateIndex
CREATE UNIQUE INDEX "Connection_tenantId_id_key" ON "Connection"("tenantId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Connection_tenantId_connectorId_name_key" ON "Connection"("tenantId", "connectorId", "name");

-- AddForeignKey
ALTER TABLE "Connection" ADD CONSTRAINT "Connection_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Connection" ADD CONSTRAINT "Connection_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;




-- Row-level security: a connection belongs to one tenant.
ALTER TABLE "Connection" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "Connection" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "Connection"
  USING ("tenantId" = app_current_tenant()) WITH CHECK ("tenantId" = app_current_tenant());

-- Owners and admins create, rotate and delete connections (server/connections/connections.ts).
GRANT SELECT, INSERT, UPDATE, DELETE ON "Connection" TO tenet_app;

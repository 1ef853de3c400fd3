-- CreateEnum
CREATE TYPE "ToolCallState" AS ENUM ('running', 'succeeded', 'failed');

-- AlterEnum
ALTER TYPE "AuditOutcome" ADD VALUE 'conflict';

-- CreateTable
CREATE TABLE "ToolCall" (
    "syscallId" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "connector" TEXT NOT NULL,
    "idempotencyKey" TEXT,
    "inputHash" TEXT NOT NULL,
    "state" "ToolCallState" NOT NULL,
    "output" JSONB,
    "error" TEXT,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3),

    CONSTRAINT "ToolCall_pkey" PRIMARY KEY ("syscallId")
);

-- CreateTable
CREATE TABLE "ToolLease" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "from" TIMESTAMPTZ(3),
    "to" TIMESTAMPTZ(3),
    "syscallId" UUID NOT NULL,
    "holder" TEXT,
    "acquiredAt" TIMESTAMPTZ(3) NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "releasedAt" TIMESTAMPTZ(3),
    "reclaimedBy" UUID,

    CONSTRAINT "ToolLease_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ToolCall_tenantId_action_idempotencyKey_startedAt_idx" ON "ToolCall"("tenantId", "action", "idempotencyKey", "startedAt");

-- CreateIndex
CREATE INDEX "ToolCall_tenantId_action_state_idx" ON "ToolCall"("tenantId", "action", "state");

-- CreateIndex
CREATE INDEX "ToolCall_tenantId_startedAt_idx" ON "ToolCall"("tenantId", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ToolCall_tenantId_syscallId_key" ON "ToolCall"("tenantId", "syscallId");

-- CreateIndex
CREATE INDEX "ToolLease_tenantId_key_releasedAt_idx" ON "ToolLease"("tenantId", "key", "releasedAt");

-- CreateIndex
CREATE INDEX "ToolLease_tenantId_syscallId_idx" ON "ToolLease"("tenantId", "syscallId");

-- AddForeignKey
ALTER TABLE "ToolCall" ADD CONSTRAINT "ToolCall_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ToolLease" ADD CONSTRAINT "ToolLease_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ToolLease" ADD CONSTRAINT "ToolLease_tenantId_syscallId_fkey" FOREIGN KEY ("tenantId", "syscallId") REFERENCES "ToolCall"("tenantId", "syscallId") ON DELETE CASCADE ON UPDATE CASCADE;



-- Row-level security: both tables belong to one tenant.
ALTER TABLE "ToolCall" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "ToolCall" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "ToolCall"
  USING ("tenantId" = app_current_tenant()) WITH CHECK ("tenantId" = app_current_tenant());

ALTER TABLE "ToolLease" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "ToolLease" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "ToolLease"
  USING ("tenantId" = app_current_tenant()) WITH CHECK ("tenantId" = app_current_tenant());

-- The broker records calls and leases and marks them finished, released or reclaimed; it never
-- deletes them (they are the history the Connectors page shows). Rows go only with their tenant.
GRANT SELECT, INSERT, UPDATE ON "ToolCall", "ToolLease" TO tenet_app;

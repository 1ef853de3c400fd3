-- AlterTable
ALTER TABLE "Connection" ADD COLUMN     "config" JSONB NOT NULL DEFAULT '{}';


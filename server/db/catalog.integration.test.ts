import { describe, expect, it } from "vitest";
import { APP_ROLE } from "./client";
import { withOwner } from "@/server/testing/fixtures";

describe("database catalog", () => {
  it("protects every tenant-owned table with forced row-level security and a policy", async () => {
    const rows = await withOwner(async (db) => {
      const { rows } = await db.query<{ table: string; rls: boolean; forced: boolean; policies: number }>(`
        SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
               (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r'
          AND (c.relname = 'Tenant' OR EXISTS (
            SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenantId' AND NOT a.attisdropped))
        ORDER BY 1`);
      return rows;
    });
    expect(rows.map((r) => r.table)).toEqual(expect.arrayContaining(["Tenant", "Membership", "Invite"]));
    for (const row of rows) {
      expect(row, `${row.table} must have RLS enabled, forced and a policy`).toMatchObject({
        rls: true,
        forced: true,
      });
      expect(row.policies, `${row.table} policies`).toBeGreaterThan(0);
    }
  });

  it("every tenant policy keys on app.tenant_id through app_current_tenant()", async () => {
    const policies = await withOwner(async (db) => {
      const { rows } = await db.query<{ table: string; name: string; qual: string }>(`
        SELECT tablename AS table, policyname AS name, qual FROM pg_policies
        WHERE schemaname = 'public' AND policyname = 'tenant_isolation'`);
      return rows;
    });
    expect(policies.length).toBeGreaterThanOrEqual(3);
    for (const p of policies) expect(p.qual, p.table).toContain("app_current_tenant()");
  });

  it("tenant-owned unique keys include tenantId", async () => {
    const offenders = await withOwner(async (db) => {
      const { rows } = await db.query<{ index: string }>(`
        SELECT i.indexrelid::regclass::text AS index
        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND i.indisunique AND NOT i.indisprimary
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenantId')
          AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenantId' AND a.attnum = ANY(i.indkey))`);
      return rows.map((r) => r.index);
    });
    expect(offenders).toEqual([]);
  });

  it("the app role owns nothing, cannot bypass RLS, and cannot touch the migrations table", async () => {
    const facts = await withOwner(async (db) => {
      const role = await db.query<{
        rolsuper: boolean;
        rolbypassrls: boolean;
        rolcreaterole: boolean;
        rolcreatedb: boolean;
      }>("SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1", [
        APP_ROLE,
      ]);
      const owned = await db.query<{ relname: string }>(
        "SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = $1",
        [APP_ROLE],
      );
      const migrations = await db.query<{ any: boolean }>(
        `SELECT has_table_privilege($1, '"_prisma_migrations"', 'SELECT,INSERT,UPDATE,DELETE') AS any`,
        [APP_ROLE],
      );
      return { role: role.rows[0], owned: owned.rows, migrationsAccess: migrations.rows[0]?.any };
    });
    expect(facts.role).toEqual({
      rolsuper: false,
      rolbypassrls: false,
      rolcreaterole: false,
      rolcreatedb: false,
    });
    expect(facts.owned).toEqual([]);
    expect(facts.migrationsAccess).toBe(false);
  });
});

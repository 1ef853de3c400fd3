import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ACTIONS } from "@/server/kernel/access/schema";
import { hasAuditSentence } from "./sentence";

/**
 * Every audit action the product writes has a sentence of its own in sentence.ts, so the audit console
 * never shows a new module's entries as "Acme Owner: hr.employee_created (succeeded)". The actions are
 * found by reading the source: string literals after `action:` (appendAudit entries, and helpers'
 * parameters typed as a union of actions) and the literal arguments of calls to functions named
 * *audit* (`await audit(ctx, "device.created", …)`, `auditHr(…)`). An action added without a sentence
 * fails here.
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");
const SCANNED = ["server", "app"];
const SKIPPED_DIRS = new Set(["node_modules", "generated", ".next"]);
const AUDIT_ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/**
 * Actions built from a template, with every value the template takes. A new template fails the test
 * until it is listed here (and its actions have sentences).
 */
const TEMPLATE_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  // server/hr/time-off.ts changeTimeOff: `to` is "approved" | "rejected" | "cancelled".
  "hr.time_off_${to}": ["hr.time_off_approved", "hr.time_off_rejected", "hr.time_off_cancelled"],
  // server/requests/run.ts finish: `status` is "done" | "failed" | "rejected" | "cancelled".
  "request.${status}": ["request.done", "request.failed", "request.rejected", "request.cancelled"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name.startsWith(".") || SKIPPED_DIRS.has(entry.name) ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.(test|spec)\.tsx?$|\.d\.ts$/.test(entry.name) ? [full] : [];
  });
}

/** The string and template literals in a stretch of code, as written (templates keep their `${…}`). */
function literals(code: string): string[] {
  return [...code.matchAll(/(["'`])((?:(?!\1)[^\\\n])*)\1/g)].map((m) => m[2] ?? "");
}

type Found = { action: string; file: string };

function auditActionsIn(file: string): { found: Found[]; unknownTemplates: string[] } {
  const code = readFileSync(file, "utf8");
  const rel = path.relative(ROOT, file);
  const fragments = [
    ...[...code.matchAll(/\baction\??\s*:\s*([^,;\n]+)/g)].map((m) => m[1] ?? ""),
    ...[...code.matchAll(/\b\w*audit\w*\s*\(([^()]*)/gi)].map((m) => m[1] ?? ""),
  ];
  const found: Found[] = [];
  const unknownTemplates: string[] = [];
  for (const literal of fragments.flatMap(literals)) {
    if (literal.includes("${")) {
      if (!AUDIT_ACTION.test(literal.replace(/\$\{[^}]*\}/g, "x"))) continue;
      const expanded = TEMPLATE_ACTIONS[literal];
      if (expanded) found.push(...expanded.map((action) => ({ action, file: rel })));
      else unknownTemplates.push(`${rel}: ${literal}`);
      continue;
    }
    // Syscall action names (it.access.grant) are what agents ask the kernel for, not audit actions.
    if (AUDIT_ACTION.test(literal) && !Object.hasOwn(ACTIONS, literal))
      found.push({ action: literal, file: rel });
  }
  return { found, unknownTemplates };
}

const scan = SCANNED.flatMap((dir) => sourceFiles(path.join(ROOT, dir))).map(auditActionsIn);
const found = scan.flatMap((s) => s.found);
const actions = [...new Set(found.map((f) => f.action))].sort();

describe("audit sentences cover every audit action written in server/ and app/", () => {
  it("finds the actions the modules write (the scan works)", () => {
    expect(actions).toEqual(
      expect.arrayContaining([
        "tenant.renamed",
        "syscall.decided",
        "hr.employee_created",
        "hr.time_off_cancelled",
        "finance.purchase_rejected",
        "facilities.visitor_checked_out",
        "webhook.endpoint_secret_rotated",
        "device.exported",
        "it.app_role.updated",
        "scim.user.patched",
        "scim.token.rotated",
        "connection.config_updated",
      ]),
    );
    expect(actions).not.toContain("it.access.grant");
  });

  it("knows every action built from a template", () => {
    expect(scan.flatMap((s) => s.unknownTemplates)).toEqual([]);
  });

  it("has a sentence for each", () => {
    const missing = found.filter((f) => !hasAuditSentence(f.action)).map((f) => `${f.action} (${f.file})`);
    expect([...new Set(missing)]).toEqual([]);
  });
});

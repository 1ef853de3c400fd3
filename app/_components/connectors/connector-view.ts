import type {
  ConnectionStatus,
  ConnectionView,
  ConnectorCategory,
  ConnectorField,
  ConnectorView,
} from "@/app/_lib/trpc-types";

/** The Connectors page's words and the form logic behind its generated connection forms. */

export const CATEGORY_LABELS: Record<ConnectorCategory, string> = {
  hr: "HR",
  it: "IT",
  facilities: "Facilities",
  finance: "Finance",
  integration: "Integration",
};

export const CATEGORY_ORDER: readonly ConnectorCategory[] = [
  "hr",
  "it",
  "facilities",
  "finance",
  "integration",
];

export const AUTH_LABELS: Record<ConnectorView["auth"]["type"], string> = {
  "built-in": "Built in",
  api_key: "API key",
  basic: "User name and password",
  bearer: "Bearer token",
  oauth2_client_credentials: "OAuth 2.0 client credentials",
};

export const STATUS_LABELS: Record<ConnectionStatus, string> = {
  untested: "Not tested",
  working: "Working",
  failing: "Failing",
};

export const takesConnection = (connector: Pick<ConnectorView, "auth">) => connector.auth.type !== "built-in";

/** Connectors grouped by category, in the page's order; categories with none are left out. */
export function byCategory(
  connectors: readonly ConnectorView[],
): { category: ConnectorCategory; connectors: ConnectorView[] }[] {
  return CATEGORY_ORDER.map((category) => ({
    category,
    connectors: connectors
      .filter((c) => c.category === category)
      .sort((a, b) => a.name.localeCompare(b.name)),
  })).filter((group) => group.connectors.length > 0);
}

/** "2 connections, 1 failing", "1 connection, working", "No connection yet". */
export function connectionSummary(connections: readonly Pick<ConnectionView, "status">[]): string {
  if (connections.length === 0) return "No connection yet";
  const count = `${connections.length} ${connections.length === 1 ? "connection" : "connections"}`;
  const failing = connections.filter((c) => c.status === "failing").length;
  const untested = connections.filter((c) => c.status === "untested").length;
  if (failing > 0) return `${count}, ${failing} failing`;
  if (untested > 0) return `${count}, ${untested} not tested`;
  return `${count}, ${connections.length === 1 ? "working" : "all working"}`;
}

/** "5 s", "1.5 s", "250 ms". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

// ─── Generated forms ─────────────────────────────────────────────────────────────────────────────

type Json = ConnectorField["defaultValue"];

/** What a form holds for each field: text, or a checkbox's state. */
export type Draft = Record<string, string | boolean>;

function draftValue(field: ConnectorField, value: Json | undefined): string | boolean {
  if (field.type === "boolean") return value === true;
  if (value === undefined || value === null) return "";
  if (field.type === "array" && Array.isArray(value)) return value.map(String).join("\n");
  if (field.type === "json") return JSON.stringify(value, null, 2);
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * A form's starting values: the connection's current settings, else the schema's defaults. Secret
 * fields always start empty: a saved secret is never sent back to the browser.
 */
export function draftOf(fields: readonly ConnectorField[], values: Record<string, Json> = {}): Draft {
  const draft: Draft = {};
  for (const field of fields) {
    const value = draftValue(
      field,
      Object.hasOwn(values, field.name) ? values[field.name] : field.defaultValue,
    );
    // A required choice shows its first option selected; the form must hold what it shows.
    const shown = value === "" && field.required && field.options ? (field.options[0] ?? "") : value;
    draft[field.name] = field.secret ? "" : shown;
  }
  return draft;
}

export type Parsed =
  { ok: true; values: Record<string, Json> } | { ok: false; errors: Record<string, string> };

/**
 * The values to send, from what the form holds: empty optional fields are left out (so the schema's
 * default applies), lists are one entry per line, numbers and JSON are parsed. Errors are keyed by
 * the field's name.
 */
export function parseDraft(fields: readonly ConnectorField[], draft: Draft): Parsed {
  const values: Record<string, Json> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const raw = draft[field.name];
    if (field.type === "boolean") {
      values[field.name] = raw === true;
      continue;
    }
    const text = typeof raw === "string" ? raw.trim() : "";
    if (text === "") {
      if (field.required) errors[field.name] = "Fill this in: it is required";
      continue;
    }
    switch (field.type) {
      case "string":
        values[field.name] = text;
        break;
      case "number":
      case "integer": {
        const n = Number(text);
        if (!Number.isFinite(n)) errors[field.name] = "Enter a number";
        else if (field.type === "integer" && !Number.isInteger(n))
          errors[field.name] = "Enter a whole number";
        else values[field.name] = n;
        break;
      }
      case "array":
        values[field.name] = text
          .split("\n")
          .map((line) => line.trim())
          .filter((line) => line.length > 0);
        break;
      case "json":
        try {
          values[field.name] = JSON.parse(text) as Json;
        } catch {
          errors[field.name] = "Enter valid JSON";
        }
        break;
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, values };
}

/** Credentials are text only (connectors/sdk.ts Secrets): what parseDraft gives for secret fields. */
export function credentialsOf(values: Record<string, Json>): Record<string, string> {
  const credentials: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === "string") credentials[name] = value;
    else if (value !== null) credentials[name] = JSON.stringify(value);
  }
  return credentials;
}

/** A setting's value as the connection card shows it. */
export function formatSetting(value: Json | undefined): string {
  if (value === undefined || value === null || value === "") return "—";
  if (Array.isArray(value))
    return value.length === 0
      ? "None"
      : value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ");
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return typeof value === "string" ? value : JSON.stringify(value);
}

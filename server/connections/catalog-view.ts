import { z } from "zod";
import type { AnyActionSpec, AuthSpec, ConnectorCategory, ConnectorManifest } from "@/connectors/sdk";
import { AppError, notFound } from "@/server/errors";
import { ACTION_INFO, ACTIONS, type ActionName, type Effect } from "@/server/kernel/access/schema";
import type { JsonObject, JsonValue } from "@/server/kernel/audit/canonical-json";
import type { AuditRecord } from "@/server/kernel/audit/entry";
import { canReadAuditLog } from "@/server/kernel/audit/query";
import { describeAuditEntry } from "@/server/kernel/audit/sentence";
import type { ConflictPolicy } from "@/server/kernel/tools/registry";
import type { TenantContext } from "@/server/tenancy/context";
import type { ConnectionSchemas } from "./connections";

/**
 * What the Connectors page shows of the connector manifests: plain JSON (no zod schemas, no functions),
 * so it can cross the API. Forms for a connection are generated from the credential and config fields,
 * which are read off the manifest's schemas through their JSON Schema (zod's `toJSONSchema`), so a field
 * is labelled by its `.describe()` text and is required exactly when the schema requires it.
 */

/** Any connector's manifest, whatever its actions (connectors/catalog.ts holds them by id). */
export type AnyManifest = ConnectorManifest<Record<string, AnyActionSpec>>;
export type ManifestCatalog = Readonly<Record<string, AnyManifest>>;

export const CONNECTOR_CATEGORIES = [
  "hr",
  "it",
  "facilities",
  "finance",
  "integration",
] as const satisfies readonly ConnectorCategory[];

export const AUTH_TYPES = ["built-in", "api_key", "basic", "bearer", "oauth2_client_credentials"] as const;
export type AuthType = AuthSpec["type"];

export const FIELD_TYPES = ["string", "number", "integer", "boolean", "array", "json"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** One input of a connection's form. */
export type FieldView = {
  name: string;
  /** The schema's description (`.describe()`), else the field's name. */
  label: string;
  required: boolean;
  /** Credential fields: typed into a password box and never shown again once saved. */
  secret: boolean;
  /** `array` is a list of strings (one per line in the form); `json` anything else, typed as JSON. */
  type: FieldType;
  /** JSON Schema's format for strings ("uri", "email"), when the schema gives one. */
  format: string | null;
  /** The allowed values, for a field that is one of a few strings. */
  options: string[] | null;
  /** What the schema fills in when the field is left out. */
  defaultValue: JsonValue | null;
};

export type ActionView = {
  action: ActionName;
  title: string;
  /** What the action does, in the words the policies and the audit log use (ACTION_INFO). */
  description: string;
  effect: Effect;
  /** The business object the action is about, as policies name it ("AppAccess"). */
  resourceType: string;
  reversible: boolean;
  /** The action that undoes this one, when there is one. */
  compensation: { action: ActionName; title: string | null } | null;
  scopes: string[];
  /** Calls at once per tenant; null when the connector sets no limit. */
  maxParallel: number | null;
  timeoutMs: number;
  onConflict: ConflictPolicy;
  /** The action's input as JSON Schema. */
  input: JsonObject;
};

export type ConnectorView = {
  id: string;
  name: string;
  version: string;
  category: ConnectorCategory;
  description: string;
  auth: { type: AuthType; credentials: FieldView[]; config: FieldView[] };
  rateLimits: {
    concurrency: number | null;
    requestsPerMinute: number | null;
    tenantRequestsPerMinute: number | null;
  };
  actions: ActionView[];
};

/** A schema as JSON Schema for what callers send (defaults make a field optional), never throwing. */
function jsonSchemaOf(schema: z.ZodType): JsonObject {
  let generated: unknown;
  try {
    generated = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  } catch {
    // A schema zod cannot express (a cycle without an id, say) is shown as "anything".
    return {};
  }
  const json = JSON.parse(JSON.stringify(generated)) as JsonValue;
  if (!isObject(json)) return {};
  const { $schema: _dialect, ...rest } = json;
  return rest;
}

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const strings = (value: JsonValue | undefined): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

function fieldType(property: JsonObject): FieldType {
  const { type } = property;
  if (type === "string" || type === "number" || type === "integer" || type === "boolean") return type;
  if (type === "array" && isObject(property.items) && property.items.type === "string") return "array";
  // A string enum written as a bare enum, and nullable strings (type: ["string", "null"]).
  if (type === undefined && strings(property.enum).length > 0) return "string";
  if (Array.isArray(type) && strings(type).every((t) => t === "string" || t === "null")) return "string";
  return "json";
}

/** The form fields of an object schema: its properties, in declaration order. */
export function fieldsOf(schema: z.ZodType, secret: boolean): FieldView[] {
  const json = jsonSchemaOf(schema);
  const properties = json.properties;
  if (!isObject(properties)) return [];
  const required = new Set(strings(json.required));
  return Object.entries(properties).map(([name, value]) => {
    const property = isObject(value) ? value : {};
    const description = typeof property.description === "string" ? property.description.trim() : "";
    const options = strings(property.enum);
    return {
      name,
      label: description || name,
      required: required.has(name),
      secret,
      type: fieldType(property),
      format: typeof property.format === "string" ? property.format : null,
      options: options.length > 0 ? options : null,
      defaultValue: property.default ?? null,
    };
  });
}

function actionView(connector: AnyManifest, spec: AnyActionSpec): ActionView {
  const compensatedBy = spec.reversible === false ? null : spec.reversible.by;
  const compensating = compensatedBy
    ? Object.values(connector.actions).find((a) => a.action === compensatedBy)
    : undefined;
  return {
    action: spec.action,
    title: spec.title,
    description: ACTION_INFO[spec.action].label,
    effect: spec.effect,
    resourceType: ACTIONS[spec.action],
    reversible: compensatedBy !== null,
    compensation: compensatedBy ? { action: compensatedBy, title: compensating?.title ?? null } : null,
    scopes: [...spec.scopes],
    maxParallel: spec.maxParallel ?? null,
    timeoutMs: spec.timeoutMs,
    onConflict: spec.onConflict ?? "fail",
    input: jsonSchemaOf(spec.input),
  };
}

export function connectorView(manifest: AnyManifest): ConnectorView {
  const { auth } = manifest;
  return {
    id: manifest.id,
    name: manifest.name,
    version: manifest.version,
    category: manifest.category,
    description: manifest.description,
    auth:
      auth.type === "built-in"
        ? { type: auth.type, credentials: [], config: [] }
        : {
            type: auth.type,
            credentials: fieldsOf(auth.credentials, true),
            config: fieldsOf(auth.config, false),
          },
    rateLimits: {
      concurrency: manifest.rateLimits?.concurrency ?? null,
      requestsPerMinute: manifest.rateLimits?.requestsPerMinute ?? null,
      tenantRequestsPerMinute: manifest.rateLimits?.tenantRequestsPerMinute ?? null,
    },
    actions: Object.values(manifest.actions)
      .map((spec) => actionView(manifest, spec))
      .sort((a, b) => a.action.localeCompare(b.action)),
  };
}

/** Every connector, by category (in CONNECTOR_CATEGORIES' order), then by name. */
export function catalogView(catalog: ManifestCatalog): ConnectorView[] {
  const rank = (c: ConnectorCategory) => CONNECTOR_CATEGORIES.indexOf(c);
  return Object.values(catalog)
    .map(connectorView)
    .sort((a, b) => rank(a.category) - rank(b.category) || a.name.localeCompare(b.name));
}

/** A connector by id; an id no installed connector has is not found. */
export function findManifest(catalog: ManifestCatalog, id: string): AnyManifest {
  const manifest = Object.hasOwn(catalog, id) ? catalog[id] : undefined;
  if (!manifest) throw notFound("Connector not found");
  return manifest;
}

/**
 * The schemas a connection to `connectorId` is checked against, for server/connections/connections.ts.
 * Built-in connectors work on the tenant's own data and take no connection.
 */
export function connectionSchemasIn(catalog: ManifestCatalog): (connectorId: string) => ConnectionSchemas {
  return (connectorId) => {
    const manifest = Object.hasOwn(catalog, connectorId) ? catalog[connectorId] : undefined;
    if (!manifest) {
      throw new AppError("BAD_REQUEST", `connectorId: No installed connector is called ${connectorId}`, {
        fields: { connectorId: [`No installed connector is called ${connectorId}`] },
      });
    }
    if (manifest.auth.type === "built-in") {
      const message = `${manifest.name} works on Tenet's own data and takes no connection`;
      throw new AppError("BAD_REQUEST", `connectorId: ${message}`, { fields: { connectorId: [message] } });
    }
    return { credentials: manifest.auth.credentials, config: manifest.auth.config };
  };
}

/** One call made through a connector, as its `syscall.completed` audit entry records it. */
export type ConnectorCall = {
  /** The entry's number in the tenant's audit log (a decimal string: it is a bigint). */
  seq: string;
  at: Date;
  actor: { type: AuditRecord["actorType"]; label: string };
  onBehalfOf: string | null;
  /** The action called, when the entry names one the connector has; null for one it no longer has. */
  action: ActionName | null;
  title: string | null;
  outcome: AuditRecord["outcome"];
  /** What the call was, in the connector's words (its `describe`), else the audit log's sentence. */
  description: string;
  /** The connection it went through, for connectors that take one. */
  connectionId: string | null;
  error: string | null;
  /** How long the call took, when the entry records it. */
  durationMs: number | null;
};

const callDetail = z.object({
  request: z.string().optional(),
  action: z.string().optional(),
  syscall: z.string().optional(),
  description: z.string().min(1).optional(),
  connectionId: z.string().nullish(),
  error: z.string().nullish(),
  durationMs: z.number().nonnegative().optional(),
});

/**
 * Which of the connector's actions an entry is about. The kernel records the request as the action's
 * ACTION_INFO label, followed by ": <resource>" when the call names one (kernel.ts requestPhrase);
 * an entry that names the action outright is taken at its word.
 */
function actionOfCall(manifest: AnyManifest, detail: z.output<typeof callDetail>): AnyActionSpec | null {
  const actions = Object.values(manifest.actions);
  const named = detail.action ?? detail.syscall;
  if (named) return actions.find((a) => a.action === named) ?? null;
  const { request } = detail;
  if (!request) return null;
  // The longest label first: "read an employee" must not claim "read an employee record: Bob".
  return (
    [...actions]
      .sort((a, b) => ACTION_INFO[b.action].label.length - ACTION_INFO[a.action].label.length)
      .find((a) => {
        const label = ACTION_INFO[a.action].label;
        return request === label || request.startsWith(`${label}: `);
      }) ?? null
  );
}

export const MAX_RECENT_CALLS = 100;

/**
 * The tenant's latest calls through a connector, newest first: the audit log's `syscall.completed`
 * entries whose detail names the connector. Only those who may read the audit log see them.
 */
export async function recentCalls(
  ctx: TenantContext,
  manifest: AnyManifest,
  limit: number,
): Promise<ConnectorCall[]> {
  if (!canReadAuditLog(ctx.actor.role)) {
    throw new AppError("FORBIDDEN", "Only owners and admins can see the calls made through a connector");
  }
  const rows = await ctx.db.auditEntry.findMany({
    where: {
      tenantId: ctx.tenantId,
      action: "syscall.completed",
      detail: { path: ["connector"], equals: manifest.id },
    },
    orderBy: { seq: "desc" },
    take: Math.min(Math.max(1, Math.trunc(limit)), MAX_RECENT_CALLS),
  });
  return rows.map((row) => {
    const parsed = callDetail.safeParse(row.detail);
    const detail = parsed.success ? parsed.data : {};
    const spec = actionOfCall(manifest, detail);
    return {
      seq: row.seq.toString(),
      at: row.at,
      actor: { type: row.actorType, label: row.actorLabel },
      onBehalfOf: row.onBehalfOfLabel,
      action: spec?.action ?? null,
      title: spec?.title ?? null,
      outcome: row.outcome,
      description: detail.description ?? describeAuditEntry(row),
      connectionId: detail.connectionId ?? null,
      error: detail.error ?? null,
      durationMs: detail.durationMs ?? null,
    };
  });
}

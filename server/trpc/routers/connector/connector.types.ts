import { z } from "zod";
import { CONNECTOR_CATEGORIES, AUTH_TYPES, FIELD_TYPES } from "@/server/connections/catalog-view";
import { connectionInput } from "@/server/connections/connections";
import { ACTION_NAMES, EFFECTS } from "@/server/kernel/access/schema";

/** A connector's id as the manifests spell them ("okta-scim", "hris-rest"). */
export const connectorIdInput = connectionInput.shape.connectorId;

/** A connection's id. Not checked here: a malformed id is as absent as another tenant's (404). */
export const connectionIdInput = z.string({ error: "Choose a connection" }).max(100, "Not a connection id");

export const credentialsInput = z.record(
  z.string(),
  z.string({ error: "Enter credentials as text" }).max(20_000, "Use at most 20,000 characters"),
  { error: "Give the credentials as fields of text" },
);

export const configInput = z.record(z.string(), z.json(), { error: "Give the settings as fields" });

const fieldView = z.object({
  name: z.string(),
  label: z.string(),
  required: z.boolean(),
  secret: z.boolean(),
  type: z.enum(FIELD_TYPES),
  format: z.string().nullable(),
  options: z.array(z.string()).nullable(),
  defaultValue: z.json().nullable(),
});

const actionView = z.object({
  action: z.enum(ACTION_NAMES),
  title: z.string(),
  description: z.string(),
  effect: z.enum(EFFECTS),
  resourceType: z.string(),
  reversible: z.boolean(),
  compensation: z.object({ action: z.enum(ACTION_NAMES), title: z.string().nullable() }).nullable(),
  scopes: z.array(z.string()),
  maxParallel: z.number().nullable(),
  timeoutMs: z.number(),
  onConflict: z.enum(["fail", "wait", "escalate"]),
  input: z.record(z.string(), z.json()),
});

export const connectorView = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  category: z.enum(CONNECTOR_CATEGORIES),
  description: z.string(),
  auth: z.object({
    type: z.enum(AUTH_TYPES),
    credentials: z.array(fieldView),
    config: z.array(fieldView),
  }),
  rateLimits: z.object({
    concurrency: z.number().nullable(),
    requestsPerMinute: z.number().nullable(),
    tenantRequestsPerMinute: z.number().nullable(),
  }),
  actions: z.array(actionView),
});

/**
 * A connection as the page shows it. Never its credentials: only their hint. (An output schema also
 * strips any key it does not name, so nothing else could slip out.)
 */
export const connectionView = z.object({
  id: z.string(),
  connectorId: z.string(),
  name: z.string(),
  status: z.enum(["untested", "working", "failing"]),
  credentialsHint: z.string(),
  config: z.record(z.string(), z.json()),
  createdBy: z.object({ id: z.string(), name: z.string() }),
  createdAt: z.date(),
  updatedAt: z.date(),
  lastUsedAt: z.date().nullable(),
});
